package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.ConfigFactory;
import io.orderflow.testing.Eventually;
import io.orderflow.testing.TestDatabase;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The database health behind /ready and the order routes' fail-fast 503s, on a real PostgreSQL. */
class DatabaseHealthIT {
  /** Probes once at the start, then hourly: anything sooner is the probe {@code gone} starts. */
  static final Duration HOURLY = Duration.ofHours(1);

  static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local"));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aReadThatMetTheDatabaseGoneTakesItDownAtOnceAndAConnectionKilledAloneIsUpAgainAtOnce() throws Exception {
    try (TestDatabase db = TestDatabase.create()) {
      PGSimpleDataSource dataSource = new PGSimpleDataSource();
      dataSource.setUrl(db.url);
      dataSource.setUser("postgres");
      DatabaseHealth health = DatabaseHealth.start(testKit.system(), dataSource, HOURLY, Duration.ofSeconds(2));
      Eventually.await(Duration.ofSeconds(10), "the first probe to find the database", health::isUp);

      // As a read does when its pooled connection was terminated (pg_terminate_backend, 57P01).
      health.gone("FATAL: terminating connection due to administrator command");
      assertFalse(health.isUp(), "down at once, so the requests after it answer without waiting");

      // The database is there: the probe gone() started finds it, an hour before the next tick.
      Eventually.await(Duration.ofSeconds(10), "the database to be up again", health::isUp);
    }
  }
}
