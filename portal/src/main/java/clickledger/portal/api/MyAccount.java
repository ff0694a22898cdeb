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
     * which reads as allowed: {@code POST /v1/me/links} has always taken a slug. {@code logoUrl} is
     * the api's path of the program's logo, null without one.
     */
    public record MyProgram(
            String programId,
            String slug,
            String name,
            String currency,
            String membershipStatus,
            Boolean allowCustomSlugs,
            String logoUrl) {
        /** Where the portal serves the logo ({@code /brand/programs/{id}/logo?v=…}), or null. */
        public String portalLogoUrl() {
            return Program.portalLogoUrl(logoUrl);
        }

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

    /** The portal path of the logo of one of the partner's programs; null without one (or for another program). */
    public String programLogo(String programId) {
        return programs.stream()
                .filter(program -> program.programId().equals(programId))
                .map(MyProgram::portalLogoUrl)
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(null);
    }

    /**
     * The logo for the top bar: of the program chosen, or of the partner's only program, or null
     * (several programs and none chosen: each block shows its own).
     */
    public String topBarLogo(String chosenProgramId) {
        if (chosenProgramId != null && !chosenProgramId.isBlank()) {
            return programLogo(chosenProgramId);
        }
        return programs.size() == 1 ? programs.getFirst().portalLogoUrl() : null;
    }

    public String programName(String programId) {
        return programs.stream()
                .filter(program -> program.programId().equals(programId))
                .map(MyProgram::name)
                .findFirst()
                .orElse(programId);
    }
}
