// Default options of the sanitizers, compiled into every binary of a sanitizer build
// (CMakeLists.txt, CLEMMYS_SANITIZE). The processes the simtee launches receive no
// ASAN_OPTIONS or UBSAN_OPTIONS: its environment allow-list refuses them, as it must,
// so a launched trusted binary would otherwise run with the sanitizers' lax defaults.
// Variables set in the environment still override these (scripts/sanitize.sh sets the
// same for the processes it starts directly).
//
// detect_leaks=0: LeakSanitizer stops the world with ptrace, which the simtee's seccomp
// policy refuses to launched processes (LSan then ends them with a fatal error).
// scripts/sanitize.sh turns leak detection back on for the test binaries themselves.
const char* __asan_default_options(void) { return "detect_leaks=0:abort_on_error=0"; }
const char* __ubsan_default_options(void) { return "halt_on_error=1:print_stacktrace=1"; }
