//! Does the user's webapp answer in the lab? `up` asks after the lab is ready (and again when
//! it finds the lab up already): its root, or the page the user names (`--webapp-page`),
//! through nginx. When it does not, the first SEVERE line Tomcat logged about that context
//! says why; verify's `answers` check quotes the same line for a page that answers 5xx.

use std::time::Duration;

use serde::Serialize;

use crate::engine::{ContainerInfo, Engine};
use crate::exit::{Classified, ExitStatus};
use crate::lab::url::LabUrl;
use crate::labspec::webapp::ContextPath;

/// What the webapp's page answered, and, when it failed, what Tomcat logged about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebappCheck {
    pub ok: bool,
    pub url: String,
    /// The final status (redirects followed), or `None` when nothing answered.
    pub status: Option<u16>,
    /// A sentence: what answered, or what went wrong.
    pub detail: String,
    /// The first SEVERE line about the context in a Tomcat's log (`container: line`), with
    /// the exception that names the problem when the line alone does not.
    pub severe: Option<String>,
}

/// A webapp that Tomcat does not run at all, where a lab cannot do its work without it
/// (`compat`'s and `bench`'s throwaway labs): as a container that does not start, msmlab
/// could not do the job (exit status 3).
#[derive(Debug, thiserror::Error)]
#[error("your webapp at {context} does not run: GET {url} {detail}{}", .severe.as_ref().map(|s| format!("; first SEVERE line of its context: {s}")).unwrap_or_default())]
pub struct NotDeployed {
    pub context: String,
    pub url: String,
    pub detail: String,
    pub severe: Option<String>,
}

impl Classified for NotDeployed {
    fn exit_status(&self) -> ExitStatus {
        ExitStatus::Failed
    }
}

impl WebappCheck {
    /// The check as an error when its context does not run (404 at a root Tomcat does not
    /// redirect); a page that answers, even 5xx, is the work's to judge.
    pub fn not_deployed(&self, context: &ContextPath) -> Option<NotDeployed> {
        (!self.ok && self.status == Some(404)).then(|| NotDeployed {
            context: context.to_string(),
            url: self.url.clone(),
            detail: self.detail.clone(),
            severe: self.severe.clone(),
        })
    }
}

/// Asks the page (`page`, a URL path, or the context's root) through nginx and judges the
/// answer: below 400 is an answer, as are 401 and 403 (the page wants a login); 5xx fails;
/// 404 fails when the page was named or the context is not deployed.
pub async fn check(engine: &Engine, url: &LabUrl, tomcats: &[ContainerInfo], context: &ContextPath, page: Option<&str>) -> WebappCheck {
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().expect("a plain HTTP client builds");
    let target = url.at(page.unwrap_or(&context.url_path()));
    let status = match client.get(&target).send().await {
        Ok(r) => r.status().as_u16(),
        Err(e) => {
            let severe = severe_line(engine, tomcats, context.as_str()).await;
            return WebappCheck { ok: false, url: target, status: None, detail: format!("no answer: {e}"), severe };
        }
    };
    let failed = match status {
        500.. => Some(format!("answered {status}")),
        404 if page.is_some() => Some("answered 404: the page you named is not there".to_string()),
        404 if !deployed(&client, url, context).await => Some(format!("answered 404: Tomcat has no context {context}")),
        _ => None,
    };
    let fine = match status {
        404 => "answered 404; its context runs (name a page that answers with --webapp-page)".to_string(),
        _ => format!("answered {status}"),
    };
    match failed {
        None => WebappCheck { ok: true, url: target, status: Some(status), detail: fine, severe: None },
        Some(detail) => {
            let severe = severe_line(engine, tomcats, context.as_str()).await;
            WebappCheck { ok: false, url: target, status: Some(status), detail, severe }
        }
    }
}

/// Whether Tomcat runs the context: it redirects `/ctx` to `/ctx/` when it does. ROOT cannot
/// be told apart from a missing one this way, so it counts as deployed.
async fn deployed(client: &reqwest::Client, url: &LabUrl, context: &ContextPath) -> bool {
    if context.as_str() == "/" {
        return true;
    }
    let no_redirects = reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().unwrap_or_else(|_| client.clone());
    !matches!(no_redirects.get(url.at(context.as_str())).send().await, Ok(r) if r.status() == reqwest::StatusCode::NOT_FOUND)
}

/// The first SEVERE line about `context` (`/` or `/a/b`, as Tomcat names it) in the current
/// run of the Tomcats' logs, as `container: line`; `None` when none has one (or the logs
/// cannot be read: this only adds evidence to a failure found otherwise).
pub async fn severe_line(engine: &Engine, tomcats: &[ContainerInfo], context: &str) -> Option<String> {
    for t in tomcats {
        if let Ok(log) = engine.logs_since_of(t, 0).await {
            if let Some(line) = first_severe(&log, context) {
                return Some(format!("{}: {line}", t.name));
            }
        }
    }
    None
}

/// The context a URL path is served by, as far as the path alone says: its first segment
/// (`/my/cart.jsp` → `/my`), or ROOT (`/`).
pub fn context_of(path: &str) -> String {
    let path = path.split('?').next().unwrap_or("").trim_start_matches('/');
    match path.split_once('/') {
        Some((first, _)) if !first.is_empty() => format!("/{first}"),
        // One segment: a page of ROOT (`/index.jsp`), or a context named without its slash.
        _ if path.is_empty() || path.contains('.') => "/".into(),
        _ => format!("/{path}"),
    }
}

/// Where Tomcat starts a run: a restarted container's log holds its earlier runs too.
const RUN_START: &str = "Initializing ProtocolHandler";

/// The first SEVERE record about `context` in Tomcat's one-line log since its last start,
/// followed by the exception below it when the record does not already say it.
pub fn first_severe(log: &str, context: &str) -> Option<String> {
    let lines: Vec<&str> = log.lines().collect();
    let from = lines.iter().rposition(|l| l.contains(RUN_START)).unwrap_or(0);
    let (ctx, base) = match context.trim_end_matches('/') {
        "" => (String::new(), "ROOT".to_string()),
        c => (c.to_string(), c[1..].replace('/', "#")),
    };
    // How Tomcat names a context in its records: `Context [/a]`, `path [/a]`, its docBase
    // (`webapps/a`, `a.war`) and its web.xml (`jndi:/localhost/a/WEB-INF/web.xml`).
    let needles = [format!("[{ctx}]"), format!("webapps/{base}"), format!("/{base}.war"), format!("/localhost{ctx}/")];
    let about = |l: &str| needles.iter().any(|n| l.contains(n.as_str()));
    let at = (from..lines.len()).find(|&i| lines[i].contains(" SEVERE [") && about(lines[i]))?;
    let record = lines[at].trim();
    let is_record = |l: &str| [" SEVERE [", " WARNING [", " INFO [", " FINE ["].iter().any(|lvl| l.contains(lvl));
    let cause = lines[at + 1..]
        .iter()
        .take(200)
        .take_while(|l| !is_record(l))
        .map(|l| l.trim())
        .find(|l| !l.starts_with("at ") && (l.contains("Exception") || l.contains("Error")));
    match cause {
        // The exception's message is often the record's own ("threw exception [msg]").
        Some(c) if !record.contains(c.split_once(": ").map_or(c, |(_, msg)| msg)) => Some(format!("{record} ({c})")),
        _ => Some(record.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSP_FAILS: &str = "\
07-Dec-2026 21:00:00.000 INFO [main] org.apache.coyote.AbstractProtocol.init Initializing ProtocolHandler [\"http-nio-8080\"]
07-Dec-2026 21:00:01.000 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [900] milliseconds
07-Dec-2026 21:00:05.000 SEVERE [http-nio-8080-exec-2] org.apache.catalina.core.StandardWrapperValve.invoke Servlet.service() for servlet [jsp] in context with path [/state] threw exception [The absolute uri: [http://java.sun.com/jsp/jstl/core] cannot be resolved in either web.xml or the jar files deployed with this application] with root cause
\torg.apache.jasper.JasperException: The absolute uri: [http://java.sun.com/jsp/jstl/core] cannot be resolved in either web.xml or the jar files deployed with this application
\t\tat org.apache.jasper.compiler.DefaultErrorHandler.jspError(DefaultErrorHandler.java:55)";

    #[test]
    fn a_page_that_fails_at_request_time_is_quoted_once() {
        let line = first_severe(JSP_FAILS, "/state").unwrap();
        assert!(line.starts_with("07-Dec-2026 21:00:05.000 SEVERE [http-nio-8080-exec-2] org.apache.catalina.core.StandardWrapperValve.invoke"), "{line}");
        assert!(line.ends_with("with root cause"), "the exception repeats the record: {line}");
        assert_eq!(first_severe(JSP_FAILS, "/other"), None);
        assert_eq!(first_severe(JSP_FAILS, "/"), None);
    }

    #[test]
    fn a_context_that_failed_to_start_is_quoted_with_the_exception_that_says_why() {
        let log = "\
07-Dec-2026 20:00:00.000 SEVERE [main] org.apache.catalina.core.StandardContext.startInternal Context [/shop] startup failed due to previous errors
07-Dec-2026 21:00:00.000 INFO [main] org.apache.coyote.AbstractProtocol.init Initializing ProtocolHandler [\"http-nio-8080\"]
07-Dec-2026 21:00:00.500 SEVERE [main] org.apache.tomcat.util.descriptor.web.WebXmlParser.parseWebXml Parse error in application web.xml file at [jndi:/localhost/shop/WEB-INF/web.xml]
\torg.xml.sax.SAXParseException; systemId: jndi:/localhost/shop/WEB-INF/web.xml; lineNumber: 1; Element type \"web-app\" must be followed by attribute specifications
\t\tat java.xml/com.sun.org.apache.xerces.internal.util.ErrorHandlerWrapper.createSAXParseException(ErrorHandlerWrapper.java:204)
07-Dec-2026 21:00:00.600 SEVERE [main] org.apache.catalina.core.StandardContext.startInternal Context [/shop] startup failed due to previous errors";
        let line = first_severe(log, "/shop").unwrap();
        assert!(line.contains("21:00:00.500 SEVERE [main] org.apache.tomcat.util.descriptor.web.WebXmlParser.parseWebXml Parse error"), "the current run only: {line}");
        assert!(line.ends_with("(org.xml.sax.SAXParseException; systemId: jndi:/localhost/shop/WEB-INF/web.xml; lineNumber: 1; Element type \"web-app\" must be followed by attribute specifications)"), "{line}");
    }

    #[test]
    fn only_a_context_tomcat_does_not_run_ends_a_throwaway_lab() {
        let context: ContextPath = "/shop".parse().unwrap();
        let check = |ok, status| WebappCheck { ok, url: "http://h:1/shop/".into(), status, detail: "answered".into(), severe: None };
        let missing = check(false, Some(404)).not_deployed(&context).unwrap();
        assert_eq!(missing.exit_status(), ExitStatus::Failed);
        assert!(missing.to_string().starts_with("your webapp at /shop does not run: GET http://h:1/shop/ answered"), "{missing}");
        assert!(check(false, Some(500)).not_deployed(&context).is_none(), "a page that answers is the work's to judge");
        assert!(check(true, Some(404)).not_deployed(&context).is_none());
    }

    #[test]
    fn a_path_names_its_context_by_its_first_segment() {
        assert_eq!(context_of("/my/cart.jsp?x=1"), "/my");
        assert_eq!(context_of("/my/"), "/my");
        assert_eq!(context_of("/index.jsp"), "/");
        assert_eq!(context_of("/"), "/");
        assert_eq!(context_of("/ShareSession/ShowSession.jsp?format=json"), "/ShareSession");
    }
}
