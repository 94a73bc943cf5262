//! The binary itself: start-up refusal in production without secrets.

#[test]
fn production_without_secrets_refuses_to_start_and_names_every_missing_variable() {
    // Arrange: nothing but APP_ENV, so no secret is set.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_metropolitan"))
        .arg("serve")
        .env_clear()
        .env("APP_ENV", "production")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap_or_else(|e| panic!("failed to run the binary: {e}"));
    // Assert
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for name in [
        "DATABASE_URL",
        "JWT_SECRET",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_FROM",
    ] {
        assert!(stderr.contains(name), "{name} missing from: {stderr}");
    }
}

#[test]
fn an_unknown_subcommand_is_a_usage_error() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_metropolitan"))
        .arg("explode")
        .output()
        .unwrap_or_else(|e| panic!("failed to run the binary: {e}"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Usage"));
}
