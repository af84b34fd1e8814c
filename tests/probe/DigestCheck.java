package io.msmlab.probe;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Prints `case digest leaves` for pairs of values that must (or must not) have the same digest,
 * for tests/e2e/session_probe.rs: the probe's ValueDigest run on the host's JVM.
 */
public class DigestCheck {
    static class Profile implements Serializable {
        private static final long serialVersionUID = 1L;
        String name = "visitor";
        int level;
        transient Object cache = new Object();

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.writeUTF(name);
        }

        private void readObject(ObjectInputStream in) throws IOException {
            name = in.readUTF();
        }
    }

    static class Link implements Serializable {
        private static final long serialVersionUID = 1L;
        Link next;
        int value;
    }

    static Object roundTrip(Object o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ObjectOutputStream out = new ObjectOutputStream(bytes);
        out.writeObject(o);
        out.close();
        return new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())).readObject();
    }

    static void show(String name, Object value) {
        ValueDigest d = ValueDigest.of(value);
        StringBuilder line = new StringBuilder(name).append(' ').append(d.digest);
        for (String[] leaf : d.leaves) {
            line.append(' ').append(leaf[0]).append('=').append(leaf[1]);
        }
        System.out.println(line);
    }

    public static void main(String[] args) throws Exception {
        Set<TimeUnit> tags = new HashSet<TimeUnit>(256);
        tags.addAll(Arrays.asList(TimeUnit.values()));
        show("tags", tags);
        show("tags-round-trip", roundTrip(tags));

        Map<String, Object> map = new HashMap<String, Object>();
        Map<String, Object> reversed = new LinkedHashMap<String, Object>();
        for (int i = 0; i < 20; i++) {
            map.put("k" + i, Arrays.asList(i, "v" + i));
        }
        for (int i = 19; i >= 0; i--) {
            reversed.put("k" + i, new ArrayList<Object>(Arrays.asList(i, "v" + i)));
        }
        show("map", map);
        show("map-reordered", reversed);

        Link a = new Link();
        a.next = new Link();
        a.next.next = a;
        a.value = 1;
        show("cycle", a);
        show("cycle-round-trip", roundTrip(a));

        Profile p = new Profile();
        p.level = 3;
        show("profile", p);
        show("profile-round-trip", roundTrip(p));

        List<Integer> order = new ArrayList<Integer>(Arrays.asList(1, 2));
        show("list", order);
        show("list-reversed", new ArrayList<Integer>(Arrays.asList(2, 1)));

        List<Integer> huge = new ArrayList<Integer>();
        for (int i = 0; i < 30000; i++) {
            huge.add(i);
        }
        show("huge", huge);
        show("object", new Object());
    }
}
