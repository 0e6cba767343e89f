"""Password rules whose messages put a field's name into a Lithuanian sentence.

Django's similarity check says "Slaptažodis pernelyg panašus į %(verbose_name)s." with the
field's name in the nominative ("... į el. pašto adresas"); after "į" Lithuanian needs the
accusative ("... į el. pašto adresą"), which the grammar layer gives.
"""

from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError

from kvalis.lib import grammar


class SimilarityValidator(UserAttributeSimilarityValidator):
    """Django's check, with the field's name in the accusative in Lithuanian."""

    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError as error:
            if error.code == "password_too_similar" and grammar.is_lithuanian():
                name = str(error.params["verbose_name"])
                error.params["verbose_name"] = grammar.inflect_phrase(name, "accusative")
            raise
