package io.orderflow.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

public final class Ports {
  private static final Set<Integer> handedOut = new HashSet<>();

  private Ports() {}

  /** A free local port, never the same twice in one JVM. */
  public static synchronized int free() {
    while (true) {
      try (ServerSocket s = new ServerSocket(0)) {
        int p = s.getLocalPort();
        if (handedOut.add(p)) return p;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
