//! msm's session ids: `<base>-<node>.<route>`, the one parser every check and drill uses.

/// The parts of a session id: `<base>-<node>.<route>`, e.g. `ACFA…B10E-n2.tomcat1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionId<'a> {
    pub base: &'a str,
    pub node: Option<&'a str>,
    pub route: Option<&'a str>,
}

impl<'a> SessionId<'a> {
    pub fn parse(id: &'a str) -> SessionId<'a> {
        let (rest, route) = match id.split_once('.') {
            Some((rest, route)) => (rest, Some(route)),
            None => (id, None),
        };
        let (base, node) = match rest.split_once('-') {
            Some((base, node)) => (base, Some(node)),
            None => (rest, None),
        };
        SessionId { base, node, route }
    }

    /// The memcached node's number (`n2` → 2), when the node id is msmlab's `nN`.
    pub fn node_number(&self) -> Option<u8> {
        self.node?.strip_prefix('n')?.parse().ok()
    }
}

/// The memcached node a session id names (`…-n2` → 2); msm adds no suffix for Redis or a
/// single node written without an id.
pub fn node_of(session_id: &str) -> Option<u8> {
    SessionId::parse(session_id).node_number()
}

/// The session id a URL carries as Tomcat writes it when the client holds no cookie
/// (`/shop/cart.jsp;jsessionid=ABC-n1?item=1`).
pub fn in_url(url: &reqwest::Url) -> Option<String> {
    let (_, rest) = url.path().split_once(";jsessionid=")?;
    let id = rest.split([';', '/']).next().filter(|id| !id.is_empty())?;
    Some(id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_id_names_its_memcached_node() {
        assert_eq!(node_of("4D23A1B2C3D4E5F6-n2"), Some(2));
        assert_eq!(node_of("4D23A1B2C3D4E5F6-n1.tomcat1"), Some(1));
        assert_eq!(node_of("4D23A1B2C3D4E5F6"), None);
    }

    #[test]
    fn session_ids_split_into_base_node_and_route() {
        assert_eq!(SessionId::parse("ABC-n2.tomcat1"), SessionId { base: "ABC", node: Some("n2"), route: Some("tomcat1") });
        assert_eq!(SessionId::parse("ABC"), SessionId { base: "ABC", node: None, route: None });
    }

    #[test]
    fn a_url_can_carry_the_session_id() {
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        assert_eq!(in_url(&url("http://h/shop/cart.jsp;jsessionid=ABC-n1?item=1")).as_deref(), Some("ABC-n1"));
        assert_eq!(in_url(&url("http://h/shop/;jsessionid=ABC-n1.tomcat2")).as_deref(), Some("ABC-n1.tomcat2"));
        assert_eq!(in_url(&url("http://h/shop/cart.jsp?jsessionid=X")), None);
        assert_eq!(in_url(&url("http://h/shop/;jsessionid=")), None);
    }
}
