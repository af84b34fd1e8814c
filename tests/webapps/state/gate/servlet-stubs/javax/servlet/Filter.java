// Compile-time stand-in (see gate/servlet-stubs/README.md).
package javax.servlet;

public interface Filter {
    void init(FilterConfig config) throws ServletException;

    void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws java.io.IOException, ServletException;

    void destroy();
}
