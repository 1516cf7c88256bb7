package io.orderflow.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection doing blocking POSTs. The bench runs on the same 2 cores
 * as the system it measures; java.net.http costs several times the CPU of this per request,
 * CPU the node would otherwise have.
 */
final class PlainHttpClient implements AutoCloseable {
  private final String host;
  private final int port;
  private Socket socket;
  private OutputStream out;
  private InputStream in;

  PlainHttpClient(URI base) {
    this.host = base.getHost();
    this.port = base.getPort() < 0 ? 80 : base.getPort();
  }

  /** POSTs {@code body} as JSON to {@code path}; returns the status code. Reconnects when needed. */
  int post(String path, byte[] body) throws IOException {
    try {
      return exchange(path, body);
    } catch (IOException first) {
      close(); // a stale keep-alive connection: one retry on a fresh one
      return exchange(path, body);
    }
  }

  private int exchange(String path, byte[] body) throws IOException {
    if (socket == null) {
      socket = new Socket(host, port);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(30_000);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 8192);
    }
    byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    out.write(head);
    out.write(body);
    out.flush();
    String status = line();
    if (status == null) throw new IOException("connection closed");
    int code = Integer.parseInt(status.substring(9, 12));
    int length = 0;
    boolean close = false;
    for (String h = line(); h != null && !h.isEmpty(); h = line()) {
      String lower = h.toLowerCase();
      if (lower.startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
      else if (lower.startsWith("connection:") && lower.contains("close")) close = true;
    }
    in.skipNBytes(length);
    if (close) close();
    return code;
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder(64);
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    socket = null;
  }
}
