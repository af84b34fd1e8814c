// msm's xstream transcoder, with an allow-list: written by msmlab (`--xstream-allow`), compiled by
// msmlab against the pinned msm and xstream jars, and shipped as lib/msmlab-xstream-allow.jar.
//
// xstream 1.4.18 and later read back only the types on their allow-list (JDK types by default),
// and msm-xstream-serializer 2.1.1 offers no way to extend it: every class of the application
// fails on read with ForbiddenClassException, and the session is lost. This factory is msm's own
// XStreamTranscoderFactory with one difference: the XStream it makes also allows the types that
// match these patterns (xstream's wildcards: `com.example.*` a package, `com.example.**` and
// its sub-packages, or a class name). Only name what your application keeps in the session:
// every allowed type can be instantiated from what the store holds.
package io.msmlab.xstream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.ConcurrentMap;

import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

import com.thoughtworks.xstream.XStream;

import de.javakaffee.web.msm.MemcachedBackupSession;
import de.javakaffee.web.msm.MemcachedSessionService.SessionManager;
import de.javakaffee.web.msm.SessionAttributesTranscoder;
import de.javakaffee.web.msm.TranscoderDeserializationException;
import de.javakaffee.web.msm.TranscoderFactory;

public class AllowListTranscoderFactory implements TranscoderFactory {

    /** The types xstream may read back besides its defaults. */
    static final String[] ALLOW = { {{ patterns }} };

    private Transcoder transcoder;

    public synchronized SessionAttributesTranscoder createTranscoder(SessionManager manager) {
        if (transcoder == null) {
            transcoder = new Transcoder();
        }
        return transcoder;
    }

    public void setCopyCollectionsForSerialization(boolean copy) {
        if (copy) {
            throw new UnsupportedOperationException("xstream cannot copy collections for serialization; leave copyCollectionsForSerialization false");
        }
    }

    public void setCustomConverterClassNames(String[] names) {
        if (names != null && names.length > 0) {
            throw new UnsupportedOperationException("xstream serialization takes no custom converter");
        }
    }

    static final class Transcoder implements SessionAttributesTranscoder {

        private static final Log LOG = LogFactory.getLog(Transcoder.class);

        private final XStream xstream = new XStream();

        Transcoder() {
            xstream.allowTypesByWildcard(ALLOW);
        }

        public byte[] serializeAttributes(MemcachedBackupSession session, ConcurrentMap<String, Object> attributes) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                xstream.toXML(attributes, out);
                return out.toByteArray();
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Non-serializable object", e);
            }
        }

        @SuppressWarnings("unchecked")
        public ConcurrentMap<String, Object> deserializeAttributes(byte[] data) {
            try {
                return (ConcurrentMap<String, Object>) xstream.fromXML(new ByteArrayInputStream(data));
            } catch (RuntimeException e) {
                LOG.warn("Caught Exception decoding " + data.length + " bytes of data (types allowed besides xstream's defaults: "
                        + java.util.Arrays.toString(ALLOW) + ")", e);
                throw new TranscoderDeserializationException(e);
            }
        }
    }
}
