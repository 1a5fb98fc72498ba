// Runs epubcheck on many EPUB files in one JVM: epubcheck's own command line
// takes one file per run, and a JVM start costs more than a check.
// Usage: java -cp epubcheck.jar EpubCheckBatch.java FILE...
// Prints "=== FILE", epubcheck's report, then "=== END rc=N FILE".
import com.adobe.epubcheck.tool.EpubChecker;

public class EpubCheckBatch {
  public static void main(String[] args) {
    // One stream, so each report stays between its markers.
    System.setErr(System.out);
    for (String file : args) {
      System.out.println("=== " + file);
      int rc = new EpubChecker().run(new String[] {file});
      System.out.println("=== END rc=" + rc + " " + file);
      System.out.flush();
    }
  }
}
