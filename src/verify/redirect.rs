//! What a browser does with a redirect: which request comes next, if any.
//!
//! The walker follows redirects itself (reqwest's own policy is off) so that each hop is a
//! request of its own, with its own number, probe token and Tomcat: a page that always
//! redirects would otherwise count only its last hop, which round robin always sends to the
//! same Tomcat when the hops per load are a multiple of the Tomcats.

use reqwest::{Method, Url};

/// Redirects a page load follows at most, as browsers cap them (Chrome and Firefox: 20).
pub const MAX_REDIRECTS: usize = 10;

/// The request a redirect asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub method: Method,
    pub url: Url,
    /// Whether the form body goes along (307 and 308 keep it).
    pub keep_body: bool,
}

/// A redirect the walker must not follow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectError {
    #[error("redirected to {0:?}, which is not a URL")]
    NotAUrl(String),
    /// Blindly following it would test another server, or none: an absolute Location with
    /// Tomcat's idea of the host (nginx's upstream name, a port nginx does not publish).
    #[error("redirected to {to}, not this lab ({lab})")]
    OffLab { to: String, lab: String },
    #[error("more than {MAX_REDIRECTS} redirects in one page load")]
    TooMany,
}

/// The next hop after an answer of `status` with `location` to `method` on `current`, as a
/// browser takes it: 301 and 302 turn a POST into a GET, 303 turns anything but HEAD into a
/// GET, both without the body; 307 and 308 keep method and body. `lab` is the lab's origin;
/// `followed` the redirects this load followed already.
pub fn next_hop(lab: &Url, current: &Url, method: &Method, status: u16, location: Option<&str>, followed: usize) -> Result<Option<Hop>, RedirectError> {
    let Some(location) = location.filter(|_| matches!(status, 301 | 302 | 303 | 307 | 308)) else { return Ok(None) };
    let mut url = current.join(location.trim()).map_err(|_| RedirectError::NotAUrl(location.into()))?;
    // The fragment stays in the browser.
    url.set_fragment(None);
    if url.scheme() != lab.scheme() || url.host_str() != lab.host_str() || url.port_or_known_default() != lab.port_or_known_default() {
        return Err(RedirectError::OffLab { to: url.to_string(), lab: lab.origin().ascii_serialization() });
    }
    if followed >= MAX_REDIRECTS {
        return Err(RedirectError::TooMany);
    }
    let (method, keep_body) = match status {
        307 | 308 => (method.clone(), true),
        303 if *method != Method::HEAD => (Method::GET, false),
        301 | 302 if *method == Method::POST => (Method::GET, false),
        _ => (method.clone(), false),
    };
    Ok(Some(Hop { method, url, keep_body }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn hop(method: Method, status: u16, location: &str) -> Result<Option<Hop>, RedirectError> {
        let lab = url("http://127.0.0.1:13571/");
        next_hop(&lab, &url("http://127.0.0.1:13571/shop/cart/add.jsp?x=1"), &method, status, Some(location), 0)
    }

    #[test]
    fn relative_and_absolute_locations_resolve_against_the_page() {
        assert_eq!(hop(Method::GET, 302, "view.jsp").unwrap().unwrap().url.as_str(), "http://127.0.0.1:13571/shop/cart/view.jsp");
        assert_eq!(hop(Method::GET, 302, "../login;jsessionid=ABC-n1").unwrap().unwrap().url.as_str(), "http://127.0.0.1:13571/shop/login;jsessionid=ABC-n1");
        assert_eq!(hop(Method::GET, 301, "/shop/#top").unwrap().unwrap().url.as_str(), "http://127.0.0.1:13571/shop/");
        assert_eq!(hop(Method::GET, 302, "http://127.0.0.1:13571/shop/").unwrap().unwrap().url.as_str(), "http://127.0.0.1:13571/shop/");
    }

    #[test]
    fn methods_change_as_in_a_browser() {
        let of = |m: Method, status| {
            let h = hop(m, status, "/next").unwrap().unwrap();
            (h.method, h.keep_body)
        };
        assert_eq!(of(Method::POST, 302), (Method::GET, false));
        assert_eq!(of(Method::POST, 301), (Method::GET, false));
        assert_eq!(of(Method::PUT, 303), (Method::GET, false));
        assert_eq!(of(Method::PUT, 302), (Method::PUT, false));
        assert_eq!(of(Method::POST, 307), (Method::POST, true));
        assert_eq!(of(Method::POST, 308), (Method::POST, true));
    }

    #[test]
    fn other_answers_are_final_and_a_redirect_off_the_lab_is_a_failure() {
        assert_eq!(hop(Method::GET, 200, "/next"), Ok(None));
        assert_eq!(hop(Method::GET, 304, "/next"), Ok(None));
        let lab = url("http://127.0.0.1:13571/");
        assert_eq!(next_hop(&lab, &lab, &Method::GET, 302, None, 0), Ok(None));
        let off = hop(Method::GET, 302, "http://127.0.0.1:13355/shop/").unwrap_err();
        assert_eq!(off.to_string(), "redirected to http://127.0.0.1:13355/shop/, not this lab (http://127.0.0.1:13571)");
        assert!(matches!(hop(Method::GET, 302, "https://127.0.0.1:13571/"), Err(RedirectError::OffLab { .. })));
        assert!(matches!(hop(Method::GET, 302, "http://msmlab-x-tomcat-1:8080/"), Err(RedirectError::OffLab { .. })));
        let lab = url("http://127.0.0.1:13571/");
        assert_eq!(next_hop(&lab, &lab, &Method::GET, 302, Some("/a"), MAX_REDIRECTS), Err(RedirectError::TooMany));
        assert!(next_hop(&lab, &lab, &Method::GET, 302, Some("/a"), MAX_REDIRECTS - 1).unwrap().is_some());
    }
}
