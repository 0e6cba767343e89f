"""What each audit action code means, as the audit log shows it.

Services write a code (`action="enrolment.apply"`); people read a label ("Gauta paraiška").
Every code written anywhere in the code has its label here: `tests/audit/test_labels.py` reads
the source and fails on a code without one. A code from older data that is no longer written
still shows, as itself.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kvalis.lib.collation import lt_sorted

ACTION_LABELS: dict[str, Promise] = {
    # organisations and logins
    "organisation.create": _("Organisation added"),
    "organisation.register": _("Organisation registered"),
    "organisation.coordinator_add": _("Organisation coordinator added"),
    "organisation.update": _("Organisation's details changed"),
    "organisation.merge": _("Duplicate organisation merged"),
    "join_request.create": _("Request to join received"),
    "join_request.approve": _("Request to join approved"),
    "join_request.reject": _("Request to join rejected"),
    "user.invite": _("Login created by invitation"),
    "user.update": _("Account details changed"),
    "user.language_set": _("Language chosen"),
    "user.email_change_request": _("E-mail address change requested"),
    "user.email_change": _("E-mail address changed"),
    "user.second_factor_add": _("Second factor set up"),
    "user.second_factor_remove": _("Second factor removed"),
    "user.recovery_codes_create": _("Recovery codes generated"),
    "user.passkey_add": _("Passkey added"),
    "user.passkey_remove": _("Passkey removed"),
    "user.second_factor_reset": _("Colleague's second factor reset"),
    "organisation.second_factor_require": _("Second factor requirement changed"),
    "api.token_create": _("API token created"),
    "api.token_revoke": _("API token revoked"),
    # the project and its partners
    "project.create": _("Project created"),
    "project.update": _("Project changed"),
    "partner.add": _("Partner invited"),
    "partner.update": _("Partner changed"),
    "partner.remove": _("Partner removed"),
    "partner.accept": _("Partnership accepted"),
    "partner.decline": _("Partnership declined"),
    "partner.leave": _("Partner left the project"),
    "membership.invite": _("Team member invited"),
    "membership.remove": _("Team member removed"),
    "trainer.invite": _("Trainer invited to sign in"),
    "trainer.notify": _("Trainer told of the assignment"),
    "quota.set": _("Seat quota set"),
    # activities, groups and sessions
    "activity.create": _("Activity created"),
    "activity.update": _("Activity changed"),
    "venue.create": _("Venue added"),
    "venue.update": _("Venue changed"),
    "cohort.create": _("Group created"),
    "cohort.update": _("Group changed"),
    "cohort.capacity": _("Group capacity changed"),
    "cohort.registration": _("Group registration opened or closed"),
    "session.create": _("Session added"),
    "session.update": _("Session changed"),
    "session.delete": _("Session deleted"),
    # people and enrolment
    "person.create": _("Person added"),
    "person.update": _("Person's details changed"),
    "person.erase": _("Person's data erased (pseudonymised)"),
    "erasure.request": _("Erasure of personal data requested"),
    "erasure.approve": _("Erasure request approved"),
    "erasure.refuse": _("Erasure request refused"),
    "retention.apply": _("Retention periods applied"),
    "retention.policy_set": _("Retention periods set"),
    "enrolment.apply": _("Application received"),
    "enrolment.apply_again": _("Application received again"),
    "enrolment.confirm_email": _("Applicant's e-mail address confirmed"),
    "enrolment.nominate": _("Participant nominated"),
    "enrolment.approve": _("Enrolment approved"),
    "enrolment.reject": _("Enrolment rejected"),
    "enrolment.cancel": _("Enrolment cancelled"),
    "enrolment.correct": _("Enrolment corrected"),
    "enrolment.move": _("Moved to another group"),
    "enrolment.promote": _("Promoted from the waiting list"),
    "enrolment.override_eligibility": _("Eligibility overridden"),
    "enrolment.import_upload": _("Import file uploaded"),
    "enrolment.import_map": _("Import columns matched"),
    "enrolment.import_retry": _("Import checked again"),
    "enrolment.import_confirm": _("Import confirmed"),
    "enrolment.import": _("Participants imported"),
    "enrolment.import_mail_send": _("Held import e-mails sent"),
    "calendar.reset": _("Calendar link renewed"),
    "cohort_message.send": _("Message to a group written"),
    "cohort_message.deliver": _("Message to a group sent"),
    # attendance and completion
    "attendance.record": _("Attendance recorded"),
    "attendance.check_in": _("Participant checked in"),
    "attendance.completion_override_set": _("Completion decided by hand"),
    "attendance.completion_override_clear": _("Completion decided by hand withdrawn"),
    "time_rule.override": _("Time rule set aside"),
    # certificates
    "certificate_issuer.create": _("Certificate issuer added"),
    "certificate_issuer.update": _("Certificate issuer changed"),
    "certificate_settings.update": _("Certificate settings of an activity changed"),
    "certificate.issue": _("Certificate issued"),
    "certificate.issue_bulk": _("Certificates issued for a group"),
    "certificate.issue_bulk_done": _("Certificates for a group ready"),
    "certificate.issue_bulk_retry": _("Certificates for a group prepared again"),
    "certificate.mail_retry": _("Certificates e-mailed again"),
    "certificate.revoke": _("Certificate revoked"),
    "certificate.reissue": _("Certificate reissued"),
    "credentials.key_rotate": _("Credential signing key replaced"),
    # surveys
    "survey_template.default_create": _("Default survey template created"),
    "survey_template.copy": _("Survey template copied"),
    "survey_template.update": _("Survey template changed"),
    "survey_question.add": _("Survey question added"),
    "survey_question.delete": _("Survey question deleted"),
    "survey_question.move": _("Survey question moved"),
    "survey.create": _("Survey created"),
    "survey.update": _("Survey changed"),
    "survey.open": _("Survey opened"),
    "survey.close": _("Survey closed"),
    "survey.remind": _("Survey reminder sent"),
    "survey.answers": _("Survey answers received"),
    "survey.results_publish": _("Survey results published"),
    # budget
    "budget_line.create": _("Budget line added"),
    "budget_line.update": _("Budget line changed"),
    "budget_line.delete": _("Budget line deleted"),
    "expense.create": _("Expense added"),
    "expense.update": _("Expense changed"),
    "expense.delete": _("Expense deleted"),
    # study visit
    "study_visit.create": _("Study visit created"),
    "study_visit.update": _("Study visit changed"),
    "study_visit.traveller_add": _("Traveller added"),
    "study_visit.traveller_promote": _("Traveller promoted from the reserve list"),
    "study_visit.traveller_remove": _("Traveller removed"),
    "study_visit.checklist": _("Travel checklist changed"),
    "study_visit.cost_add": _("Travel cost added"),
    "study_visit.cost_remove": _("Travel cost removed"),
    "enrolment.confirm_for_study_visit": _("Enrolment confirmed for the study visit"),
    "enrolment.cancel_for_study_visit": _("Enrolment cancelled for the study visit"),
    "host_visit.create": _("Host organisation added to the itinerary"),
    "host_visit.update": _("Itinerary visit changed"),
    "host_visit.delete": _("Itinerary visit removed"),
    "host_visit.outcomes": _("Visit outcomes recorded"),
    # reports
    "report_export.request": _("Report file requested"),
    "report_export.retry": _("Report file prepared again"),
    "public_summary.generate": _("Public summary generated"),
    "public_summary.update": _("Public summary edited"),
    "public_summary.publish": _("Public summary published"),
    "public_summary.withdraw": _("Public summary withdrawn"),
    # privacy
    "privacy.export": _("Personal data exported"),
    "consent.give": _("Consent given"),
    "consent.withdraw": _("Consent withdrawn"),
}


def action_label(code: str) -> str:
    """The label of an action code; an unknown code (older data) as itself."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def action_choices(codes) -> list[tuple[str, str]]:
    """(code, label) for the given codes, in the order of their labels."""
    pairs = [(code, action_label(code)) for code in set(codes)]
    return lt_sorted(pairs, key=lambda pair: pair[1])
