package paxos.impl.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import paxos.impl.exec.DigestComparison.Kind;
import paxos.impl.exec.DigestComparison.Verdict;

/** Who is in the minority when replicas' digests at one instance differ; one claim per test. */
class DigestComparisonTest {
    @Test
    void equalDigestsAgreeEvenBeforeEveryReplicaReported() {
        Verdict v = DigestComparison.compare(Map.of(1, 7L, 2, 7L), 3);
        assertEquals(Kind.AGREE, v.kind());
        assertEquals(java.util.List.of(1, 2), v.majorityNodes());
        assertTrue(v.differing().isEmpty());
    }

    @Test
    void theOneReplicaThatDiffersFromTwoOfThreeIsTheMinority() {
        Verdict v = DigestComparison.compare(Map.of(1, 7L, 2, 7L, 3, 9L), 3);
        assertEquals(Kind.MINORITY, v.kind());
        assertEquals(7L, v.majorityDigest());
        assertEquals(java.util.List.of(3), v.differing());
        assertTrue(v.isMinority(3));
        assertFalse(v.isMinority(1));
    }

    @Test
    void twoReportsThatDifferInAClusterOfThreeMarkNobody() {
        Verdict v = DigestComparison.compare(Map.of(1, 7L, 3, 9L), 3);
        assertEquals(Kind.NO_MAJORITY, v.kind());
        assertEquals(java.util.List.of(1, 3), v.differing());
        assertFalse(v.isMinority(1));
        assertFalse(v.isMinority(3));
    }

    @Test
    void threeDifferentDigestsHaveNoMajority() {
        assertEquals(Kind.NO_MAJORITY, DigestComparison.compare(Map.of(1, 1L, 2, 2L, 3, 3L), 3).kind());
    }

    @Test
    void aPluralityBelowAMajorityMarksNobody() {
        // 2-2-1 of five: the largest camp holds 2, not more than 5 / 2
        assertEquals(Kind.NO_MAJORITY, DigestComparison.compare(Map.of(1, 1L, 2, 1L, 3, 2L, 4, 2L, 5, 3L), 5).kind());
    }

    @Test
    void aMajorityOfTheClusterCountsNotOfTheReports() {
        // three of five agree although two have not reported: the third reporter is the minority
        Verdict v = DigestComparison.compare(Map.of(1, 1L, 2, 1L, 3, 1L, 4, 2L), 5);
        assertEquals(Kind.MINORITY, v.kind());
        assertEquals(java.util.List.of(4), v.differing());
        // two of five agreeing is no majority, even if they are all that reported but one
        assertEquals(Kind.NO_MAJORITY, DigestComparison.compare(Map.of(1, 1L, 2, 1L, 4, 2L), 5).kind());
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> DigestComparison.compare(Map.of(), 3));
        assertThrows(IllegalArgumentException.class, () -> DigestComparison.compare(Map.of(1, 1L, 2, 1L), 1));
    }
}
