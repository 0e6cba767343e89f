"""Kvalis: continuing professional development programmes for cultural institutions."""
