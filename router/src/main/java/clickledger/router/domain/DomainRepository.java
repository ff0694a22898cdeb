package clickledger.router.domain;

import static clickledger.db.jooq.Tables.SHORT_DOMAIN;
import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jooq.DSLContext;

/** Reads every custom domain: a few hundred rows at most, read whole on any change. */
public final class DomainRepository {
    private final DSLContext dsl;

    public DomainRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    public List<Domain> all() {
        return dsl.select(SHORT_DOMAIN.ID, SHORT_DOMAIN.HOSTNAME, SHORT_DOMAIN.DEDICATED, SHORT_DOMAIN.COOKIE_DOMAIN)
                .from(SHORT_DOMAIN)
                .orderBy(SHORT_DOMAIN.ID)
                .fetch(row ->
                        Domain.custom(row.value1(), row.value2(), Boolean.TRUE.equals(row.value3()), row.value4()));
    }
}
