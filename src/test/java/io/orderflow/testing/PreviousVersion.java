package io.orderflow.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.stream.Collectors;
import java.util.zip.ZipFile;

/**
 * The previous version of orderflow (src/test/resources/node-v1, see its README): its classes,
 * never mixed with the current ones, for serialization tests in this JVM and for real nodes of
 * that version as child processes.
 */
public final class PreviousVersion {
  public static final Path JAR = Path.of("src", "test", "resources", "node-v1", "orderflow-v1.jar");

  private PreviousVersion() {}

  /**
   * A class loader that takes every io.orderflow class and every resource of its own from the old
   * jar, and only libraries (Pekko, Jackson, ...) from the test's class path. A class the old
   * version did not have is not found, as on a node of that version.
   */
  public static URLClassLoader classLoader() {
    try {
      return new IsolatingClassLoader(JAR.toUri().toURL(), PreviousVersion.class.getClassLoader());
    } catch (MalformedURLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The class path of a node of the previous version: its jar, then this build's dependencies. */
  public static String classpath() {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String deps = Arrays.stream(cp.split(File.pathSeparator))
        .filter(e -> !e.isBlank())
        .filter(e -> !Path.of(e).toAbsolutePath().normalize().endsWith(Path.of("target", "classes")))
        .filter(e -> !Path.of(e).toAbsolutePath().normalize().endsWith(Path.of("target", "test-classes")))
        .filter(e -> !e.endsWith("orderflow.jar"))
        .collect(Collectors.joining(File.pathSeparator));
    if (!deps.contains("pekko-actor")) throw new IllegalStateException("no dependencies on the class path: " + cp);
    return JAR.toAbsolutePath() + File.pathSeparator + deps;
  }

  /** A resource of the previous version, e.g. its db/schema.sql. */
  public static String resource(String name) {
    try (ZipFile zip = new ZipFile(JAR.toFile())) {
      var entry = zip.getEntry(name);
      if (entry == null) throw new IllegalStateException(name + " is not in " + JAR);
      return new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final class IsolatingClassLoader extends URLClassLoader {
    IsolatingClassLoader(URL jar, ClassLoader parent) {
      super(new URL[] {jar}, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("io.orderflow.")) return super.loadClass(name, resolve);
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) c = findClass(name); // never the current version's class of the same name
        if (resolve) resolveClass(c);
        return c;
      }
    }

    @Override
    public URL getResource(String name) {
      URL own = findResource(name);
      return own != null ? own : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
      Enumeration<URL> own = findResources(name);
      // The old jar's application.conf and serialization.conf, not the current ones.
      return own.hasMoreElements() ? own : super.getResources(name);
    }
  }
}
