//! A real headless browser: Debian's Chromium driven over WebDriver
//! (chromedriver) by fantoccini, for the demo's look at its console.
//!
//! Needs `chromedriver` and `chromium` (installed by `scripts/setup`;
//! `SPON_CHROMEDRIVER` and `SPON_CHROMIUM` name others). Without them
//! [`Browser::open`] gives none, unless `SPON_REQUIRE_BROWSER` is set (as
//! `scripts/test` sets it), when it fails.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

/// A headless Chromium and its driver (stopped when dropped).
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    driver: Child,
    /// Where [`Browser::shot`] saves screenshots.
    pub shots: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn tool(env: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    path.exists().then_some(path)
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session (1400 × 1000)
    /// saving screenshots under `shots`; none without the tools (a
    /// failure if `SPON_REQUIRE_BROWSER` is set).
    ///
    /// # Errors
    /// The tools are required and missing, or do not start.
    pub async fn open(shots: PathBuf) -> Result<Option<Browser>> {
        let (Some(driver), Some(chromium)) = (
            tool("SPON_CHROMEDRIVER", "/usr/bin/chromedriver"),
            tool("SPON_CHROMIUM", "/usr/bin/chromium"),
        ) else {
            if std::env::var_os("SPON_REQUIRE_BROWSER").is_some() {
                bail!("SPON_REQUIRE_BROWSER is set but chromedriver or chromium is missing: run scripts/setup");
            }
            return Ok(None);
        };
        std::fs::create_dir_all(&shots)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let driver = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", driver.display()))?;
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"],
            }),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            // chromedriver listens on loopback: plain HTTP, no TLS stack.
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => break c,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => {
                    let mut driver = driver;
                    let _ = driver.kill();
                    bail!("chromedriver did not start: {e}");
                }
            }
        };
        Ok(Some(Browser {
            client,
            driver,
            shots,
        }))
    }

    /// Opens `url`.
    ///
    /// # Errors
    /// The browser cannot load it.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client.goto(url).await?;
        Ok(())
    }

    /// The text of the first element matching `css`.
    ///
    /// # Errors
    /// No such element.
    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self
            .client
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("no {css} on the page"))?
            .text()
            .await?)
    }

    /// The texts of every element matching `css`.
    ///
    /// # Errors
    /// A WebDriver failure.
    pub async fn texts(&self, css: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for e in self.client.find_all(Locator::Css(css)).await? {
            out.push(e.text().await?);
        }
        Ok(out)
    }

    /// Clicks the first element matching `css`.
    ///
    /// # Errors
    /// No such element.
    pub async fn click(&self, css: &str) -> Result<()> {
        self.client
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("no {css} on the page"))?
            .click()
            .await?;
        Ok(())
    }

    /// The path of the page shown.
    ///
    /// # Errors
    /// A WebDriver failure.
    pub async fn path(&self) -> Result<String> {
        Ok(self.client.current_url().await?.path().to_string())
    }

    /// Saves a screenshot of the page as `shots/name`.
    ///
    /// # Errors
    /// A WebDriver or file failure.
    pub async fn shot(&self, name: &str) -> Result<PathBuf> {
        let png = self.client.screenshot().await?;
        let path = self.shots.join(name);
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Waits up to `timeout` until `css`'s text satisfies `ok`, the page
    /// reloading itself meanwhile (the console's pages refresh); the text.
    ///
    /// # Errors
    /// Not in time.
    pub async fn wait_text(
        &self,
        css: &str,
        timeout: Duration,
        ok: impl Fn(&str) -> bool,
    ) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let text = self.text(css).await.unwrap_or_default();
            if ok(&text) {
                return Ok(text);
            }
            if Instant::now() >= deadline {
                bail!("{css} still shows {text:?} after {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Ends the session.
    ///
    /// # Errors
    /// A WebDriver failure.
    pub async fn close(self) -> Result<()> {
        self.client.clone().close().await?;
        Ok(())
    }
}
