// Compile-time stand-in (see gate/servlet-stubs/README.md).
package javax.servlet;

public interface FilterChain {
    void doFilter(ServletRequest request, ServletResponse response) throws java.io.IOException, ServletException;
}
