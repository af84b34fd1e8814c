package io.msmlab.tomcat11;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.catalina.Session;

import de.javakaffee.web.msm.MemcachedBackupSession;

/**
 * Makes memcached-session-manager 2.3.2 (tc9 jar converted to jakarta.* with
 * jakartaee-migration) work on Tomcat 11.
 * <p>
 * Tomcat 11 removed the protected field {@code ManagerBase.sessionCounter}. The
 * inherited {@code incrementSessionCounter()} does getfield/putfield on it, so every
 * request that creates a session fails with {@code NoSuchFieldError}. The only other
 * Tomcat 9-only member msm references is {@code ManagerBase.changeSessionId(Session)}.
 * <p>
 * Use it in context.xml as {@code <Manager className="io.msmlab.tomcat11.MemcachedBackupSessionManager" .../>}.
 */
public class MemcachedBackupSessionManager extends de.javakaffee.web.msm.MemcachedBackupSessionManager {

    /** Replaces the removed ManagerBase.sessionCounter. */
    private final AtomicLong sessionCounter = new AtomicLong();

    /** Called by MemcachedSessionService.createSession; must not touch the removed field. */
    @Override
    public void incrementSessionCounter() {
        sessionCounter.incrementAndGet();
    }

    /**
     * Tomcat 11 computes this as active + expired sessions. msm also removes sessions
     * from the local map without expiring them, so report the sessions this manager created.
     */
    @Override
    public long getSessionCounter() {
        return sessionCounter.get();
    }

    /**
     * Tomcat calls rotateSessionId (for example on login, or from
     * HttpServletRequest.changeSessionId()), never msm's changeSessionId(Session).
     * Mark the session as changed, as msm does, so that it is stored in memcached
     * under the new id even if no attribute changed.
     */
    @Override
    public String rotateSessionId(final Session session) {
        final String newId = super.rotateSessionId(session);
        ((MemcachedBackupSession) session).setSessionIdChanged(true);
        return newId;
    }

    /**
     * msm's version calls super.changeSessionId(Session), which Tomcat 11 removed and which
     * would throw NoSuchMethodError. Nothing in Tomcat 11 calls this method; it delegates just in case.
     */
    @Override
    public void changeSessionId(final Session session) {
        rotateSessionId(session);
    }
}
