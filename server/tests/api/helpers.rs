//! Spawning the application against a test database, and a client for it.

use std::collections::HashMap;

use server::config::Settings;
use server::startup::Application;
use sqlx::PgPool;

/// A running application and a client pointed at it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The test's database.
    pub db: PgPool,
    /// A client without redirects or cookies.
    pub client: reqwest::Client,
    /// The settings the app runs with.
    pub settings: Settings,
    /// Keeps the upload folder alive for the test.
    _uploads: TempDir,
}

/// A folder removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Settings for a test: port 0, a Redis key prefix of its own, a private upload folder.
/// `overrides` replace single variables (e.g. `REDIS_URL` pointing nowhere).
pub fn test_settings(overrides: &[(&str, &str)]) -> (Settings, TempDir) {
    let uploads = std::env::temp_dir().join(format!("metropolitan-test-{}", uuid::Uuid::now_v7()));
    let prefix = format!("test:{}:", uuid::Uuid::now_v7());
    let redis_url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let mut vars: HashMap<String, String> = HashMap::from([
        ("APP_ENV".into(), "test".into()),
        ("LEPTOS_SITE_ADDR".into(), "127.0.0.1:0".into()),
        ("REDIS_URL".into(), redis_url),
        ("REDIS_KEY_PREFIX".into(), prefix),
        ("UPLOAD_DIR".into(), uploads.display().to_string()),
        ("BODY_LIMIT_BYTES".into(), "65536".into()),
    ]);
    for (k, v) in overrides {
        vars.insert((*k).into(), (*v).into());
    }
    let settings = Settings::from_lookup(|name| vars.get(name).cloned())
        .unwrap_or_else(|e| panic!("test settings: {e}"));
    (settings, TempDir(uploads))
}

/// Starts the app on a random port against `db`.
pub async fn spawn_app(db: PgPool) -> TestApp {
    spawn_app_with(db, &[]).await
}

/// Starts the app with some settings overridden.
pub async fn spawn_app_with(db: PgPool, overrides: &[(&str, &str)]) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        let (settings, _) = test_settings(overrides);
        std::mem::forget(server::telemetry::init(&settings));
    }
    let (settings, uploads) = test_settings(overrides);
    let app = Application::build(&settings, db.clone())
        .await
        .unwrap_or_else(|e| panic!("failed to build the app: {e:#}"));
    let port = app
        .local_addr()
        .unwrap_or_else(|e| panic!("no local address: {e}"))
        .port();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        db,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("client: {e}")),
        settings,
        _uploads: uploads,
    }
}

impl TestApp {
    /// `GET` a path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// `POST` a raw JSON body.
    pub async fn post_json_text(&self, path: &str, body: &str) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// The domain handles of this app (same database and Redis prefix), as another process
    /// would have them.
    pub fn services(&self) -> domain::Services {
        server::startup::services(&self.settings, self.db.clone()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Creates an admin account through the identity use-case.
    pub async fn create_admin(&self, email: &str, password: &str) {
        let cmd = domain::identity::CreateAdmin {
            email: email.into(),
            password: password.into(),
        };
        domain::identity::create_admin(&self.services(), cmd)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Loads the demo catalog through the seed use-case.
    pub async fn seed_catalog(&self) {
        server::seed::seed_catalog(
            &self.services(),
            &self.settings,
            server::seed::DEMO_SIZE,
            false,
        )
        .await
        .unwrap_or_else(|e| panic!("seed failed: {e:#}"));
    }
}

/// Reads a response as JSON.
pub async fn json(response: reqwest::Response) -> serde_json::Value {
    response
        .json()
        .await
        .unwrap_or_else(|e| panic!("not JSON: {e}"))
}

/// Asserts the API error shape and returns the error object.
pub async fn assert_error_shape(
    response: reqwest::Response,
    status: u16,
    code: &str,
) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status);
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("missing x-request-id"));
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let body = json(response).await;
    let error = body["error"].clone();
    assert_eq!(error["code"], code, "body: {body}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "body: {body}"
    );
    assert!(
        error.get("details").is_some(),
        "details key missing: {body}"
    );
    assert_eq!(error["request_id"], request_id.as_str());
    error
}
