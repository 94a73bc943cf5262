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
    let (vars, uploads) = test_vars(overrides);
    let settings = Settings::from_lookup(|name| vars.get(name).cloned())
        .unwrap_or_else(|e| panic!("test settings: {e}"));
    (settings, uploads)
}

/// The environment of a test's server (see [`test_settings`]).
fn test_vars(overrides: &[(&str, &str)]) -> (HashMap<String, String>, TempDir) {
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
        // No outside calls unless a test points these at a local fake.
        ("VAT_REGISTRY_URL".into(), String::new()),
        // Tests run a job's domain function themselves; one that wants the timers asks.
        ("BACKGROUND_JOBS".into(), "false".into()),
    ]);
    for (k, v) in overrides {
        vars.insert((*k).into(), (*v).into());
    }
    (vars, TempDir(uploads))
}

/// The server binary in a process of its own against the test's database, for tests that
/// measure the server itself (its memory); killed when dropped.
pub struct ServerProcess {
    /// A client for it.
    pub app: TestApp,
    child: std::process::Child,
}

impl ServerProcess {
    /// Starts `metropolitan serve` on a free port and waits until it answers.
    pub async fn start(db: PgPool, overrides: &[(&str, &str)]) -> ServerProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let base = std::env::var("DATABASE_URL").unwrap_or_else(|_| {
            "postgres://metropolitan:metropolitan@127.0.0.1:5432/metropolitan".into()
        });
        let database = db
            .connect_options()
            .get_database()
            .unwrap_or_default()
            .to_owned();
        let database_url = format!("{}/{database}", base.rsplit_once('/').map_or("", |b| b.0));
        let site_addr = format!("127.0.0.1:{port}");
        let mut all = vec![
            ("DATABASE_URL", database_url.as_str()),
            ("LEPTOS_SITE_ADDR", site_addr.as_str()),
        ];
        all.extend_from_slice(overrides);
        let (vars, uploads) = test_vars(&all);
        let settings = Settings::from_lookup(|name| vars.get(name).cloned())
            .unwrap_or_else(|e| panic!("test settings: {e}"));
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_metropolitan"))
            .arg("serve")
            .env_clear()
            .envs(&vars)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("failed to start the server: {e}"));
        let address = format!("http://{site_addr}");
        let server = ServerProcess {
            app: TestApp {
                client: client_for(&address),
                address,
                db,
                settings,
                _uploads: uploads,
            },
            child,
        };
        for _ in 0..300 {
            if let Ok(r) = server
                .app
                .client
                .get(format!("{}/health", server.app.address))
                .send()
                .await
                && r.status().is_success()
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the server process did not start in 30 s");
    }

    /// The most resident memory the server has used so far (Linux `VmHWM`), in MiB.
    pub fn peak_rss_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_else(|e| panic!("server status: {e}"));
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb / 1024)
            .unwrap_or_else(|| panic!("no VmHWM in {status}"))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
    let address = format!("http://127.0.0.1:{port}");
    TestApp {
        client: client_for(&address),
        address,
        db,
        settings,
        _uploads: uploads,
    }
}

/// A client without redirects or cookies that, like a browser on the shop's own pages,
/// sends the shop's `Origin` (a test that posts from elsewhere sets its own).
fn client_for(address: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ORIGIN,
        reqwest::header::HeaderValue::from_str(address).unwrap_or_else(|e| panic!("origin: {e}")),
    );
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
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
            existing: domain::identity::ExistingAccount::Keep,
        };
        domain::identity::create_admin(&self.services(), cmd)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Loads the demo catalog through the seed use-case.
    pub async fn seed_catalog(&self) {
        server::seed::seed_catalog(&self.services(), server::seed::DEMO_SIZE, false)
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

/// A request a fake outside service received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `POST`, `GET`, ...
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// Headers.
    pub headers: axum::http::HeaderMap,
    /// Body as text.
    pub body: String,
}

/// A local HTTP server standing in for an outside service (Twilio, the VAT register).
pub struct Fake {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// What it received, oldest first.
    pub requests: std::sync::Arc<std::sync::Mutex<Vec<Recorded>>>,
}

impl Fake {
    /// Serves `answer(request)` for every request, recording each one.
    pub async fn start<F>(answer: F) -> Fake
    where
        F: Fn(&Recorded) -> (u16, String) + Clone + Send + Sync + 'static,
    {
        use axum::response::IntoResponse;
        let requests: std::sync::Arc<std::sync::Mutex<Vec<Recorded>>> = Default::default();
        let log = requests.clone();
        let handler = move |req: axum::extract::Request| {
            let log = log.clone();
            let answer = answer.clone();
            async move {
                let (parts, body) = req.into_parts();
                let bytes = axum::body::to_bytes(body, 1 << 20)
                    .await
                    .unwrap_or_default();
                let recorded = Recorded {
                    method: parts.method.to_string(),
                    uri: parts.uri.to_string(),
                    headers: parts.headers,
                    body: String::from_utf8_lossy(&bytes).into_owned(),
                };
                let (status, body) = answer(&recorded);
                if let Ok(mut log) = log.lock() {
                    log.push(recorded);
                }
                if status == 0 {
                    // Never answers in time.
                    tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                }
                (
                    axum::http::StatusCode::from_u16(status.max(200))
                        .unwrap_or(axum::http::StatusCode::OK),
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    body,
                )
                    .into_response()
            }
        };
        let router = axum::Router::new().fallback(handler);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("fake bind: {e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("fake addr: {e}"))
            .port();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Fake {
            url: format!("http://127.0.0.1:{port}"),
            requests,
        }
    }

    /// What it received so far.
    pub fn received(&self) -> Vec<Recorded> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl TestApp {
    /// `POST` JSON with an optional bearer token.
    pub async fn post_as(
        &self,
        token: Option<&str>,
        path: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}{path}", self.address))
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// A request of `method` to `path` with a bearer token and an optional JSON body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<&serde_json::Value>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Ages every code past the 30-second resend wait, so that a test may ask again.
    pub async fn allow_new_code(&self) {
        sqlx::query("update otp_challenges set created_at = created_at - interval '31 seconds'")
            .execute(&self.db)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// The code the log SMS gateway last sent to `phone` (test-only route).
    pub async fn last_code(&self, phone: &str) -> String {
        let response = self
            .client
            .get(format!("{}/api/v1/test/otp", self.address))
            .query(&[("phone", phone)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("test otp: {e}"));
        assert_eq!(response.status().as_u16(), 200, "no code for {phone}");
        json(response).await["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Signs in by phone through the API (log gateway) and returns the token response.
    pub async fn sign_in_by_phone(
        &self,
        phone: &str,
        account_type: Option<&str>,
    ) -> serde_json::Value {
        let sent = self
            .post_as(
                None,
                "/api/v1/auth/otp/request",
                &serde_json::json!({ "phone": phone }),
            )
            .await;
        assert_eq!(sent.status().as_u16(), 200, "otp request for {phone}");
        let code = self.last_code(phone).await;
        let mut body = serde_json::json!({ "phone": phone, "code": code });
        if let Some(kind) = account_type {
            body["account_type"] = kind.into();
        }
        let verified = self.post_as(None, "/api/v1/auth/otp/verify", &body).await;
        assert_eq!(verified.status().as_u16(), 200, "otp verify for {phone}");
        json(verified).await
    }

    /// Signs a new customer in and completes an individual profile; returns the access token.
    pub async fn customer_token(&self, phone: &str) -> String {
        let tokens = self.sign_in_by_phone(phone, None).await;
        let token = tokens["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let done = self
            .post_as(
                Some(&token),
                "/api/v1/me/complete-profile",
                &serde_json::json!({
                    "customer_type": "individual",
                    "first_name": "Anna",
                    "last_name": "Nowak",
                    "accept_terms": true
                }),
            )
            .await;
        assert_eq!(done.status().as_u16(), 200);
        token
    }
}

/// `host:port` of the Redis the tests use.
pub fn redis_address() -> String {
    std::env::var("REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
        .trim_start_matches("redis://")
        .trim_end_matches('/')
        .to_owned()
}

/// A TCP proxy in front of Redis or Postgres that a test can cut, as if the server went
/// down: every connection closes and new ones are refused until a proxy starts again on the
/// same port.
pub struct TcpProxy {
    /// The port it listens on.
    pub port: u16,
    tasks: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl TcpProxy {
    /// Listens on `port` (0: any free port) and forwards every connection to `upstream`.
    pub async fn start(upstream: &str, port: u16) -> TcpProxy {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| panic!("proxy bind: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let tasks: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>> =
            std::sync::Arc::default();
        let upstream = upstream.to_owned();
        let registry = tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let connection = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                if let Ok(mut tasks) = registry.lock() {
                    tasks.push(connection);
                }
            }
        });
        if let Ok(mut list) = tasks.lock() {
            list.push(accept);
        }
        TcpProxy { port, tasks }
    }

    /// Closes every connection and stops listening.
    pub fn kill(&self) {
        if let Ok(tasks) = self.tasks.lock() {
            for task in tasks.iter() {
                task.abort();
            }
        }
    }
}
