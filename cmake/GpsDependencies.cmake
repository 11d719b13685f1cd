# Every third-party dependency comes from a Debian package; this file is the one place that finds
# them, so a target only ever links the imported names below.
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(RapidJSON REQUIRED)

# RapidJSON 1.1 exports only variables; wrap them in a target marked SYSTEM so its headers never
# trip our -Werror.
if(NOT TARGET gps_rapidjson)
  add_library(gps_rapidjson INTERFACE)
  target_include_directories(gps_rapidjson SYSTEM INTERFACE ${RapidJSON_INCLUDE_DIRS} ${RAPIDJSON_INCLUDE_DIRS})
endif()

# The fuzz build compiles only the message parsers, which need nothing more than the above.
if(GPS_FUZZ)
  return()
endif()

find_package(CURL REQUIRED)
find_package(PahoMqttCpp REQUIRED)
find_package(PkgConfig REQUIRED)
# libhiredis-dev 0.14 ships a CMake config without a target, and cpp-httplib is a compiled library
# with its own flags: pkg-config gives both as imported targets.
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

if(GPS_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
