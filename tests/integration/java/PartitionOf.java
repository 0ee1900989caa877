import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.utils.Utils;

/**
 * What the Java producer does with a key: prints one line per key,
 * "hex(key bytes) TAB murmur2 TAB partition for each count".
 *
 * Usage: java -cp kafka-clients.jar PartitionOf.java 6,3,1 key1 key2 ...
 */
public class PartitionOf {
    public static void main(String[] args) {
        String[] counts = args[0].split(",");
        for (int i = 1; i < args.length; i++) {
            byte[] key = args[i].getBytes(StandardCharsets.UTF_8);
            StringBuilder line = new StringBuilder(HexFormat.of().formatHex(key))
                .append('\t').append(Utils.murmur2(key));
            for (String count : counts) {
                line.append('\t').append(BuiltInPartitioner.partitionForKey(key, Integer.parseInt(count)));
            }
            System.out.println(line);
        }
    }
}
