package io.msmlab.tomcat11;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.catalina.Session;

import de.javakaffee.web.msm.MemcachedBackupSession;

/**
 * Makes memcached-session-manager 2.3.2 (the tc9 jar, converted to jakarta.* with
 * jakartaee-migration) work on Tomcat 11.
 * <p>
 * Tomcat 11 removed the protected field {@code ManagerBase.sessionCounter}. The
 * inherited {@code incrementSessionCounter()} reads and writes that field, so every
 * request that creates a session fails with {@code NoSuchFieldError: sessionCounter}.
 * <p>
 * In context.xml:
 * {@code <Manager className="io.msmlab.tomcat11.MemcachedBackupSessionManager" .../>}
 */
public class MemcachedBackupSessionManager extends de.javakaffee.web.msm.MemcachedBackupSessionManager {

    /** Takes the place of the removed ManagerBase.sessionCounter. */
    private final AtomicLong sessionCounter = new AtomicLong();

    /** Called from MemcachedSessionService.createSession(). It must not use the removed field. */
    @Override
    public void incrementSessionCounter() {
        sessionCounter.incrementAndGet();
    }

    /**
     * Tomcat 11 computes this as active + expired sessions. msm (non-sticky) takes
     * sessions out of the local map without expiring them, so that would undercount.
     * Report the number of sessions this manager created instead, as Tomcat 9 did.
     */
    @Override
    public long getSessionCounter() {
        return sessionCounter.get();
    }

    /**
     * msm marks a session whose id changed in changeSessionId(Session), but Tomcat 11
     * (and recent Tomcat 9) calls rotateSessionId(Session) instead, for example on login or
     * HttpServletRequest.changeSessionId(). Without the mark, msm only "pings" the new id,
     * which is not in memcached yet, and logs LockingStrategy.pingSession WARNING
     * "... should be touched in memcached, but it does not exist therein".
     */
    @Override
    public String rotateSessionId(final Session session) {
        final String newId = super.rotateSessionId(session);
        ((MemcachedBackupSession) session).setSessionIdChanged(true);
        return newId;
    }
}
