package io.orderflow.testing;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What most integration tests run against: a fresh database, a nats-server of their own and one
 * node on them, started before the class's tests and closed after them in reverse order, each
 * closed even when another failed.
 *
 * <pre>{@code @RegisterExtension static final TestStack stack = new TestStack(Map.of(...));}</pre>
 */
public final class TestStack implements BeforeAllCallback, AfterAllCallback {
  private final Map<String, Object> config;
  private TestDatabase db;
  private TestNats nats;
  private TestNode node;

  public TestStack() {
    this(Map.of());
  }

  /** {@code config}: settings of the node on top of {@link TestNode#start}'s. */
  public TestStack(Map<String, Object> config) {
    this.config = config;
  }

  public TestDatabase db() {
    return db;
  }

  public TestNats nats() {
    return nats;
  }

  public TestNode node() {
    return node;
  }

  /** Stops the node and starts a new one, with the same settings, on the same database and nats-server. */
  public TestNode restartNode() throws Exception {
    TestNode old = node;
    node = null;
    old.close();
    node = TestNode.start(db, nats.url(), config);
    return node;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    db = TestDatabase.create();
    nats = new TestNats();
    node = TestNode.start(db, nats.url(), config);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try (TestDatabase d = db; TestNats n = nats; TestNode o = node) {
      // closed by try-with-resources: node, then nats-server, then database; nulls are skipped
    }
  }
}
