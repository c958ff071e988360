# Turns one file into a C++ source defining `std::string_view NAME()` with its bytes,
# so the daemon serves the page without looking for files at run time.
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
file(WRITE "${OUTPUT}" "// Generated from ${INPUT_NAME}; edit that file.\n#include <string_view>\nnamespace bounceback::websocket {\nstatic const char kData[] = {${bytes}};\nstd::string_view ${NAME}() { return {kData, sizeof(kData)}; }\n}\n")
