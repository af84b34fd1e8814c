// msmlab's session probe: lab Tomcats only, never in files rendered for real servers.
//
// msm hides what it drops: Java serialization skips a value that is not Serializable with a
// DEBUG line, and the page still answers 200. So the lab looks for itself. For a request that
// carries the header X-Msmlab-Probe, this filter writes one line to stdout (the container's
// log) with the session's attributes as the application found them, before the request, and as
// it left them, after: name, class, for Serializable values the size and a CRC-32 of their
// Java-serialized form, and for every value a digest of its content with its first leaves
// (ValueDigest), which the other Tomcat's line is compared with.
//
// Declared in the host's web.xml.default as a context listener, which adds the filter in front
// of every filter of the application: Tomcat appends a default web.xml's filters after the
// application's own, where a filter that answers by itself (a framework's page, a security
// redirect) would keep the probe from ever seeing the request. The filter runs after every
// valve, msm's included, so "before" is the session as msm loaded it, and its "after" comes
// before msm's host valve stores the session. docs/compat.md says why not a request listener.
//
// Compiled when the lab's Tomcat image is built. {{ servlet }} is javax or jakarta, following the
// Servlet API of the Tomcat line.
package io.msmlab.probe;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.CRC32;

import {{ servlet }}.servlet.Filter;
import {{ servlet }}.servlet.FilterChain;
import {{ servlet }}.servlet.FilterConfig;
import {{ servlet }}.servlet.FilterRegistration;
import {{ servlet }}.servlet.ServletContextEvent;
import {{ servlet }}.servlet.ServletContextListener;
import {{ servlet }}.servlet.ServletException;
import {{ servlet }}.servlet.ServletRequest;
import {{ servlet }}.servlet.ServletResponse;
import {{ servlet }}.servlet.http.HttpServletRequest;
import {{ servlet }}.servlet.http.HttpSession;

public class SessionProbe implements ServletContextListener, Filter {

    static final String HEADER = "X-Msmlab-Probe";
    static final String PREFIX = "msmlab-probe ";
    static final String NAME = "msmlabSessionProbe";

    public void contextInitialized(ServletContextEvent event) {
        try {
            FilterRegistration.Dynamic probe = event.getServletContext().addFilter(NAME, SessionProbe.class);
            if (probe == null) {
                return; // the application declares a filter of that name: not ours to replace
            }
            // An application's async servlet fails behind a filter that does not allow it.
            probe.setAsyncSupported(true);
            // false: before every filter mapping the application declared.
            probe.addMappingForUrlPatterns(null, false, "/*");
        } catch (RuntimeException e) {
            // The webapp must start whatever the probe's fate; verify then says it saw nothing.
            System.out.println("msmlab-probe-error " + event.getServletContext().getContextPath() + " " + e);
        }
    }

    public void contextDestroyed(ServletContextEvent event) {
    }

    public void init(FilterConfig config) {
    }

    public void destroy() {
    }

    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String token = request instanceof HttpServletRequest ? ((HttpServletRequest) request).getHeader(HEADER) : null;
        if (token == null || !token.matches("[A-Za-z0-9._-]{1,80}")) {
            chain.doFilter(request, response);
            return;
        }
        HttpServletRequest http = (HttpServletRequest) request;
        String before = describe(http.getSession(false));
        try {
            chain.doFilter(request, response);
        } finally {
            String after = describe(http.getSession(false));
            StringBuilder line = new StringBuilder(PREFIX).append(token)
                .append(" {\"before\":").append(before)
                .append(",\"after\":").append(after)
                .append(",\"context\":").append(quote(http.getContextPath()))
                .append('}');
            PrintStream out = System.out;
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        }
    }

    /** The session as JSON: its id and each attribute, sorted by name; null without one. */
    static String describe(HttpSession session) {
        if (session == null) {
            return "null";
        }
        List<String> names = new ArrayList<String>();
        StringBuilder json = new StringBuilder();
        try {
            json.append("{\"id\":").append(quote(session.getId())).append(",\"attributes\":[");
            for (Enumeration<String> e = session.getAttributeNames(); e.hasMoreElements();) {
                names.add(e.nextElement());
            }
            Collections.sort(names);
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    json.append(',');
                }
                attribute(json, names.get(i), session.getAttribute(names.get(i)));
            }
            return json.append("]}").toString();
        } catch (IllegalStateException invalidated) {
            return "null";
        }
    }

    static void attribute(StringBuilder json, String name, Object value) {
        json.append("{\"name\":").append(quote(name))
            .append(",\"class\":").append(value == null ? "null" : quote(value.getClass().getName()));
        if (value instanceof java.io.Serializable) {
            Measure measure = new Measure();
            try {
                ObjectOutputStream out = new ObjectOutputStream(measure);
                out.writeObject(value);
                out.close();
                json.append(",\"bytes\":").append(measure.count)
                    .append(",\"crc32\":").append(quote(Long.toHexString(measure.crc.getValue())));
            } catch (Exception e) {
                json.append(",\"note\":").append(quote(e.toString()));
            }
        } else if (value != null) {
            json.append(",\"note\":").append(quote("not Serializable"));
        }
        if (value != null) {
            contents(json, ValueDigest.of(value));
        }
        json.append('}');
    }

    /** The digest and the leaves, or why there is none (then msmlab compares sizes). */
    static void contents(StringBuilder json, ValueDigest d) {
        if (d.digest == null) {
            json.append(",\"digest_note\":").append(quote(d.why));
            return;
        }
        json.append(",\"digest\":").append(quote(d.digest)).append(",\"leaves\":[");
        for (int i = 0; i < d.leaves.size(); i++) {
            String[] leaf = d.leaves.get(i);
            json.append(i > 0 ? ",[" : "[").append(quote(leaf[0])).append(',').append(quote(leaf[1])).append(']');
        }
        json.append(']');
        if (d.cut) {
            json.append(",\"cut\":true");
        }
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                q.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                q.append(String.format("\\u%04x", (int) c));
            } else {
                q.append(c);
            }
        }
        return q.append('"').toString();
    }

    /** Counts and checksums the serialized bytes without keeping them. */
    static final class Measure extends OutputStream {
        long count;
        final CRC32 crc = new CRC32();

        public void write(int b) {
            count++;
            crc.update(b);
        }

        public void write(byte[] b, int off, int len) {
            count += len;
            crc.update(b, off, len);
        }
    }
}
