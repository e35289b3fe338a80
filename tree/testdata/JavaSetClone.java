import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;

// Replays "new", "+ name", "- name" and "clone" lines from stdin on a
// java.util.HashSet<String>() (default capacity, as DataTree's per-session
// ephemeral sets), and echoes them, each "clone" line followed by the
// iteration order of set.clone() (what DataTree.getEphemerals returns).
public class JavaSetClone {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        HashSet<String> set = new HashSet<>();
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("new")) {
                set = new HashSet<>();
            } else if (line.startsWith("+ ")) {
                set.add(line.substring(2));
            } else if (line.startsWith("- ")) {
                set.remove(line.substring(2));
            } else if (line.equals("clone")) {
                @SuppressWarnings("unchecked")
                HashSet<String> c = (HashSet<String>) set.clone();
                line = "clone " + String.join(",", c);
            }
            System.out.println(line);
        }
    }
}
