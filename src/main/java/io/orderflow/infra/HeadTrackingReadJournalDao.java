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
        .statefulMap(() -> new long[] {offset, 1},
            (run, ordering) -> {
              if (run[1] == 1 && (Long) ordering == run[0] + 1) run[0]++;
              else run[1] = 0; // a gap: what follows it is not final yet
              return Pair.create(run, ordering);
            },
            run -> {
              head.advance(run[0]);
              return Optional.empty();
            })
        .asScala();
  }
}
