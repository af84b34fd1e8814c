// A session value's content, for the session probe (SessionProbe): a digest that is equal for
// equal values on any JVM and after any serializer's round trip, and the value's first leaves
// (path and short text) from which msmlab names what changed: "profile.level: 3 -> 0".
//
// Content means what a serializer is asked to carry: an application object's non-static,
// non-transient fields, up its class hierarchy; JDK values by value (Java 17 opens no JDK
// class's private fields, and their fields hold what a round trip may change: a HashSet's
// capacity, an enum set's identity-hash order); lists and arrays in order; sets and maps
// whatever their iteration order (children sorted by digest). Identity hashes never enter.
// The walk is bounded, so a huge session cannot stall a request: past the bound, no digest,
// and msmlab falls back to comparing serialized sizes.
package io.msmlab.probe;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

final class ValueDigest {

    static final int MAX_LEAVES = 64;
    static final int MAX_TEXT = 60;
    static final int MAX_DEPTH = 32;
    static final int MAX_NODES = 20000;

    /** 16 hex digits of the root's SHA-256; null when the walk gave up (see why). */
    final String digest;
    final String why;
    /** [path, text], at most MAX_LEAVES, in the canonical order. */
    final List<String[]> leaves;
    /** More leaves than listed. */
    final boolean cut;

    private ValueDigest(String digest, String why, List<String[]> leaves, boolean cut) {
        this.digest = digest;
        this.why = why;
        this.leaves = leaves;
        this.cut = cut;
    }

    static ValueDigest of(Object value) {
        try {
            Node root = new Walk().walk(value, "", 0);
            return new ValueDigest(hex(root.hash, 8), null, root.leaves, root.cut);
        } catch (TooLarge e) {
            return new ValueDigest(null, e.getMessage(), Collections.<String[]>emptyList(), true);
        } catch (RuntimeException e) {
            return new ValueDigest(null, "not walked: " + e, Collections.<String[]>emptyList(), true);
        }
    }

    /** A value's digest and leaves. */
    static final class Node {
        final byte[] hash;
        final List<String[]> leaves;
        final boolean cut;

        Node(byte[] hash, List<String[]> leaves, boolean cut) {
            this.hash = hash;
            this.leaves = leaves;
            this.cut = cut;
        }
    }

    static final class TooLarge extends Exception {
        TooLarge(String why) {
            super(why);
        }
    }

    static final Comparator<Node> BY_HASH = new Comparator<Node>() {
        public int compare(Node a, Node b) {
            for (int i = 0; i < a.hash.length; i++) {
                int d = (a.hash[i] & 0xff) - (b.hash[i] & 0xff);
                if (d != 0) {
                    return d;
                }
            }
            return 0;
        }
    };

    /** One walk: the objects on the path from the root (for cycles) and the work done. */
    static final class Walk {
        private final IdentityHashMap<Object, Integer> onPath = new IdentityHashMap<Object, Integer>();
        private int nodes;

        Node walk(Object v, String path, int depth) throws TooLarge {
            if (++nodes > MAX_NODES) {
                throw new TooLarge("more than " + MAX_NODES + " values");
            }
            if (depth > MAX_DEPTH) {
                throw new TooLarge("nested deeper than " + MAX_DEPTH);
            }
            String scalar = scalar(v);
            if (scalar != null) {
                return leaf(v == null ? "null" : v.getClass().getName(), path, scalar);
            }
            Integer seenAt = onPath.get(v);
            if (seenAt != null) {
                // The same graph gives the same distance back up, on any JVM.
                return leaf("cycle", path, "(cycle to " + (depth - seenAt) + " up)");
            }
            onPath.put(v, depth);
            try {
                return composite(v, path, depth);
            } finally {
                onPath.remove(v);
            }
        }

        private Node composite(Object v, String path, int depth) throws TooLarge {
            Class<?> c = v.getClass();
            List<Node> parts = new ArrayList<Node>();
            List<String> labels = new ArrayList<String>();
            if (c.isArray()) {
                for (int i = 0; i < Array.getLength(v); i++) {
                    parts.add(walk(Array.get(v, i), path + "[" + i + "]", depth + 1));
                }
            } else if (v instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    parts.add(entry(e, path, depth));
                }
                Collections.sort(parts, BY_HASH);
            } else if (v instanceof Collection) {
                for (Object e : (Collection<?>) v) {
                    parts.add(walk(e, path + (v instanceof Set ? "{}" : "[" + parts.size() + "]"), depth + 1));
                }
                if (v instanceof Set) {
                    Collections.sort(parts, BY_HASH);
                }
            } else if (isJdk(c)) {
                return leaf(c.getName(), path, text(v));
            }
            for (int i = 0; i < parts.size(); i++) {
                labels.add("#");
            }
            if (!isJdk(c) && !fields(v, path, depth, parts, labels)) {
                return leaf(c.getName(), path, text(v));
            }
            // JDK containers by shape, not class: a serializer may bring back another List.
            String tag = c.isArray() ? "array" : v instanceof Map ? "map" : v instanceof Set ? "set" : v instanceof Collection ? "list" : "";
            return join(isJdk(c) ? tag : tag + c.getName(), parts, labels);
        }

        /** A map entry: its key's text in the path, key and value in the digest. */
        private Node entry(Map.Entry<?, ?> e, String path, int depth) throws TooLarge {
            Node key = walk(e.getKey(), path + "<key>", depth + 1);
            String keyText = scalar(e.getKey());
            String at = path + "[" + (keyText != null ? cut(keyText, 30) : "#" + hex(key.hash, 4)) + "]";
            Node value = walk(e.getValue(), at, depth + 1);
            return join("entry", java.util.Arrays.asList(key, value), java.util.Arrays.asList("k", "v"), value.leaves, value.cut);
        }

        /** Adds the fields of v's own classes; false when reflection is refused. */
        private boolean fields(Object v, String path, int depth, List<Node> parts, List<String> labels) throws TooLarge {
            for (Class<?> k = v.getClass(); k != null && !isJdk(k); k = k.getSuperclass()) {
                Field[] declared = k.getDeclaredFields();
                java.util.Arrays.sort(declared, new Comparator<Field>() {
                    public int compare(Field a, Field b) {
                        return a.getName().compareTo(b.getName());
                    }
                });
                for (Field f : declared) {
                    int m = f.getModifiers();
                    if (Modifier.isStatic(m) || Modifier.isTransient(m) || f.isSynthetic()) {
                        continue;
                    }
                    Object value;
                    try {
                        f.setAccessible(true);
                        value = f.get(v);
                    } catch (Exception e) { // also Java 9's InaccessibleObjectException
                        return false;
                    }
                    String name = k == v.getClass() ? f.getName() : k.getSimpleName() + "." + f.getName();
                    parts.add(walk(value, path.isEmpty() ? name : path + "." + name, depth + 1));
                    labels.add(name);
                }
            }
            return true;
        }
    }

    private static Node join(String tag, List<Node> parts, List<String> labels) {
        List<String[]> leaves = new ArrayList<String[]>();
        boolean cut = false;
        for (Node p : parts) {
            cut |= p.cut;
            for (String[] l : p.leaves) {
                if (leaves.size() == MAX_LEAVES) {
                    cut = true;
                    break;
                }
                leaves.add(l);
            }
        }
        return join(tag, parts, labels, leaves, cut);
    }

    private static Node join(String tag, List<Node> parts, List<String> labels, List<String[]> leaves, boolean cut) {
        MessageDigest sha = sha256();
        sha.update(bytes(tag + "(" + parts.size() + ")"));
        for (int i = 0; i < parts.size(); i++) {
            sha.update(bytes(labels.get(i) + "="));
            sha.update(parts.get(i).hash);
        }
        return new Node(sha.digest(), leaves, cut);
    }

    private static Node leaf(String tag, String path, String text) {
        MessageDigest sha = sha256();
        sha.update(bytes(tag + ":" + text));
        List<String[]> one = new ArrayList<String[]>(1);
        one.add(new String[] {path, cut(text, MAX_TEXT)});
        return new Node(sha.digest(), one, false);
    }

    /** The text of a value compared by value, or null for one walked into. */
    static String scalar(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String) {
            return "\"" + v + "\"";
        }
        if (v instanceof Number || v instanceof Boolean || v instanceof Character) {
            return v.toString();
        }
        if (v instanceof Enum) {
            return ((Enum<?>) v).name();
        }
        if (v instanceof Class) {
            return ((Class<?>) v).getName();
        }
        if (v instanceof Date) {
            return java.time.Instant.ofEpochMilli(((Date) v).getTime()).toString();
        }
        if (v instanceof Calendar) {
            Calendar c = (Calendar) v;
            return java.time.Instant.ofEpochMilli(c.getTimeInMillis()) + " " + c.getTimeZone().getID();
        }
        return null;
    }

    /** Any other JDK value (java.time, UUID, Locale and others): its own text, never Object's. */
    static String text(Object v) {
        try {
            if (v.getClass().getMethod("toString").getDeclaringClass() != Object.class) {
                return v.toString();
            }
        } catch (Exception e) {
            // fall through: the class name alone
        }
        return v.getClass().getName();
    }

    static boolean isJdk(Class<?> c) {
        String n = c.getName();
        return n.startsWith("java.") || n.startsWith("javax.") || n.startsWith("jdk.") || n.startsWith("sun.") || n.startsWith("com.sun.");
    }

    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JVM has SHA-256
        }
    }

    static String hex(byte[] b, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(String.format("%02x", b[i] & 0xff));
        }
        return s.toString();
    }
}
