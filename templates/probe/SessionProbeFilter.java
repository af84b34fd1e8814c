// msmlab's session probe: lab Tomcats only, never in files rendered for real servers.
//
// msm hides what it drops: Java serialization skips a value that is not Serializable with a
// DEBUG line, and the page still answers 200. So the lab looks for itself. For a request that
// carries the header X-Msmlab-Probe, this filter writes one line to stdout (the container's
// log) with the session's attributes as the application found them, before the request, and as
// it left them, after: name, class and, for Serializable values, the size and a CRC-32 of
// their Java-serialized form. A filter (declared in the host's web.xml.default) runs after
// every valve, msm's included, so "before" is the session exactly as msm loaded it.
//
// Compiled when the lab's Tomcat image is built, with the Eclipse compiler Tomcat ships
// for JSPs. {{ servlet }} is javax or jakarta, following the Servlet API of the Tomcat line.
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
import {{ servlet }}.servlet.ServletException;
import {{ servlet }}.servlet.ServletRequest;
import {{ servlet }}.servlet.ServletResponse;
import {{ servlet }}.servlet.http.HttpServletRequest;
import {{ servlet }}.servlet.http.HttpSession;

public class SessionProbeFilter implements Filter {

    static final String HEADER = "X-Msmlab-Probe";
    static final String PREFIX = "msmlab-probe ";

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
        json.append('}');
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
