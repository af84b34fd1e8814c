package gate;

import java.io.IOException;

import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpSession;

/**
 * A filter of the application that answers by itself, as a framework's filter that renders its
 * pages or a security filter that redirects: it counts the visit in the session and never calls
 * the rest of the chain.
 */
public class Gate implements Filter {
    public void init(FilterConfig config) {
    }

    public void destroy() {
    }

    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException {
        HttpSession session = ((HttpServletRequest) request).getSession();
        Integer visits = (Integer) session.getAttribute("gate");
        visits = visits == null ? 1 : visits + 1;
        session.setAttribute("gate", visits);
        response.setContentType("text/plain");
        response.getWriter().println("the gate answered by itself: visit " + visits);
    }
}
