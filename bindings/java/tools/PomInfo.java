import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Reads what build-jar.sh needs from bindings/java/pom.xml, so that the jar it builds carries the pom's
 * coordinates: prints {@code groupId artifactId version module nativeDir} on one line (module: the property
 * {@code sfmfa.module}, the jar's Automatic-Module-Name; nativeDir: {@code sfmfa.native.dir}). Parsing it with
 * the JDK's XML parser also refuses a pom that is not well-formed.
 * Usage: {@code java PomInfo.java POM}.
 */
public class PomInfo {
    public static void main(String[] args) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document pom = factory.newDocumentBuilder().parse(Path.of(args[0]).toFile());
        Element project = pom.getDocumentElement();
        Element properties = child(project, "properties");
        System.out.println(String.join(" ", text(project, "groupId"), text(project, "artifactId"),
                text(project, "version"), text(properties, "sfmfa.module"), text(properties, "sfmfa.native.dir")));
    }

    /** The first child element of {@code parent} named {@code name}; fails when there is none. */
    static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getLocalName().equals(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("the pom has no <" + name + "> in <" + parent.getLocalName() + ">");
    }

    static String text(Element parent, String name) {
        String value = child(parent, name).getTextContent().trim();
        if (value.isEmpty() || value.contains(" ")) {
            throw new IllegalArgumentException("<" + name + "> is empty or has a space: '" + value + "'");
        }
        return value;
    }
}
