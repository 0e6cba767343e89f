"""The outbox: every e-mail as a row written with the change it reports, sent by a task and,
should that task die, by `kvalis send_pending_mail`."""
