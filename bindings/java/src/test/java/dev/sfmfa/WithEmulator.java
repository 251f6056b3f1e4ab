package dev.sfmfa;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test class with its own emulator: started before its first test, stopped after its last. */
abstract class WithEmulator {
    static Emulator emu;

    @BeforeAll
    static void startEmulator() throws Exception {
        emu = Emulator.start();
    }

    @AfterAll
    static void stopEmulator() {
        emu.close();
    }
}
