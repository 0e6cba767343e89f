// django-otp-webauthn's registration script announces a saved passkey with this event: reload
// the second-factor page so the list (and the message) shows it.
document.addEventListener("otp_webauthn.register_complete", () => {
  window.location.reload();
});
