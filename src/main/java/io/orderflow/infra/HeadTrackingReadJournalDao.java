package io.orderflow.infra;

import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.jdbc.config.ReadJournalConfig;
import org.apache.pekko.persistence.jdbc.query.dao.DefaultReadJournalDao;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.scaladsl.Source;
import java.util.Optional;
import scala.concurrent.ExecutionContext;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * pekko-persistence-jdbc's read-journal DAO, which also tells the node's {@link JournalHead} how
 * far the journal is complete.
 *
 * <p>The read journal's gap detector ({@code JournalSequenceActor}) asks, once a {@code
 * query-delay}, for the orderings after the highest one it knows to be final. That position, and
 * the run of orderings right after it without a gap (rows the database already shows, so no
 * transaction can still take one of them), are final: that is the head.
 */
public final class HeadTrackingReadJournalDao extends DefaultReadJournalDao {
  private final JournalHead head;

  public HeadTrackingReadJournalDao(JdbcBackend.JdbcDatabaseDef db, JdbcProfile profile, ReadJournalConfig config,
      Serialization serialization, ExecutionContext ec, Materializer mat) {
    super(db, profile, config, serialization, ec, mat);
    this.head = JournalHead.get(Adapter.toTyped(serialization.system()));
    head.attach(this);
  }

  @Override
  public Source<Object, NotUsed> journalSequence(long offset, long limit) {
    head.advance(offset);
    return super.journalSequence(offset, limit).asJava()
        .statefulMap(() -> new Run(offset), (run, ordering) -> Pair.create(run.next((Long) ordering), ordering),
            run -> {
              head.advance(run.end);
              return Optional.empty();
            })
        .asScala();
  }

  /** The orderings after a final one, up to the first gap. */
  private static final class Run {
    long end;
    boolean gap;

    Run(long start) {
      this.end = start;
    }

    Run next(long ordering) {
      if (!gap && ordering == end + 1) end = ordering;
      else gap = true; // what follows a gap is not final yet
      return this;
    }
  }
}
