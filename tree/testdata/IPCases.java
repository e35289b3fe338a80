import org.apache.zookeeper.server.auth.IPAuthenticationProvider;

// Prints what ZooKeeper's own IPAuthenticationProvider answers for ip ACL
// subjects (isValid) and for connection addresses against them (matches).
public class IPCases {
    public static void main(String[] args) {
        String[] exprs = {
            "127.0.0.1", "10.0.0.0/8", "10.1.0.0/16", "10.0.0.0/7", "11.0.0.0/7", "192.168.1.128/25",
            "10.1.2.3/32", "10.0.0.1/0", "10.0.0.1/33", "10.0.0.1/-1", "10.0.0.1/+8", "10.0.0.1/08",
            "10.0.0.1/8/9", "10.0.0.1/", "10.0.0.1/2147483648", "10.0.0.300", "10.0.0", "10.0.0.1.",
            "10..0.1", "+10.1.2.3", "-0.0.0.0", "010.001.2.3", "\uff11\uff10.1.2.3", "\u0661\u0660.1.2.3",
            "::1", "0:0:0:0:0:0:0:1", "fe80::1/64", "", "/8", "a.b.c.d", " 10.1.2.3", "10.1.2.3 ",
            "2147483648.0.0.1", "0.0.0.0/0",
        };
        String[] clients = {"127.0.0.1", "10.1.2.3", "11.1.2.3", "192.168.1.200", "192.168.1.100", "0:0:0:0:0:0:0:1"};
        IPAuthenticationProvider p = new IPAuthenticationProvider();
        for (String e : exprs) {
            System.out.println("valid\t" + e + "\t" + p.isValid(e));
        }
        for (String c : clients) {
            for (String e : exprs) {
                System.out.println("match\t" + c + "\t" + e + "\t" + p.matches(c, e));
            }
        }
    }
}
