package clickledger.portal.api;

import java.time.Instant;
import java.util.List;

/** {@code GET /v1/me}: the partner the session acts for, and its programs with the membership of each. */
public record MyAccount(
        String id, String email, String name, String status, Instant createdAt, List<MyProgram> programs) {
    public MyAccount {
        programs = programs == null ? List.of() : List.copyOf(programs);
    }

    /**
     * One program of the partner. {@code allowCustomSlugs} is null from an api that does not say,
     * which reads as allowed: {@code POST /v1/me/links} has always taken a slug.
     */
    public record MyProgram(
            String programId,
            String slug,
            String name,
            String currency,
            String membershipStatus,
            Boolean allowCustomSlugs) {
        public boolean approved() {
            return "approved".equals(membershipStatus);
        }

        public boolean customSlugs() {
            return !Boolean.FALSE.equals(allowCustomSlugs);
        }
    }

    /** The programs where the partner may create links. */
    public List<MyProgram> approvedPrograms() {
        return programs.stream().filter(MyProgram::approved).toList();
    }

    public String programName(String programId) {
        return programs.stream()
                .filter(program -> program.programId().equals(programId))
                .map(MyProgram::name)
                .findFirst()
                .orElse(programId);
    }
}
