package org.sriov4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import org.sriov4j.migration.DeviceProfile;
import org.sriov4j.migration.ProfileFormatException;
import org.sriov4j.spi.CompatibilityMatrix;
import org.sriov4j.testdata.Fuzzing;

/**
 * Fuzz targets: the device-profile JSON reader ({@link DeviceProfile#fromJson(String)} and its UTF-8 form) and the
 * compatibility-matrix reader ({@link CompatibilityMatrix#parse(String)}) throw only {@link ProfileFormatException};
 * a profile read back from its own JSON is equal to it. See {@link Fuzzing}.
 */
class DeviceProfileFuzzTest {

    @FuzzTest
    @DictionaryEntries({"{\"schemaVersion\": 1,", "\"source\":", "\"device\":", "\"pf\":", "\"address\":",
        "\"0000:01:10.0\"", "\"unknown\"", "\"vendorId\": \"8086\"", "\"bars\": [", "\"net\":", "null", "}", "]"})
    void fromJson(@NotNull String json) throws Throwable {
        Fuzzing.only(() -> {
            DeviceProfile p = DeviceProfile.fromJson(json);
            if (!DeviceProfile.fromJson(p.toJson()).equals(p)) {
                throw new AssertionError("a profile does not read back from its own JSON: " + p.toJson());
            }
        }, ProfileFormatException.class);
    }

    @FuzzTest
    void fromUtf8(byte[] json) throws Throwable {
        Fuzzing.only(() -> DeviceProfile.fromJson(json), ProfileFormatException.class);
    }

    @FuzzTest
    @DictionaryEntries({"{\"matrixVersion\": 1,", "\"entries\": [", "\"pfVersion\": \">=5.8 <7\"", "\"result\":"})
    void compatibilityMatrix(@NotNull String json) throws Throwable {
        Fuzzing.only(() -> CompatibilityMatrix.parse(json), ProfileFormatException.class);
    }
}
