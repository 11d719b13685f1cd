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
find_package(eclipse-paho-mqtt-c REQUIRED)
find_package(PkgConfig REQUIRED)
# libhiredis-dev 0.14 ships a CMake config without a target, and cpp-httplib is a compiled library
# with its own flags: pkg-config gives both as imported targets.
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

# gps_tls_mqtt: Paho MQTT C (asynchronous, TLS) and OpenSSL. A target with the property
# GPS_STATIC_TLS_MQTT set links Debian's static archives of both instead of the shared libraries:
# the gateway client does, to keep only the code it uses resident
# (docs/device-client-footprint.md). The property is read on the target being linked.
find_library(GPS_PAHO_C_STATIC libpaho-mqtt3as.a REQUIRED)
find_library(GPS_SSL_STATIC libssl.a REQUIRED)
find_library(GPS_CRYPTO_STATIC libcrypto.a REQUIRED)
if(NOT TARGET gps_tls_mqtt)
  add_library(gps_tls_mqtt INTERFACE)
  set(static_tls_mqtt ${GPS_PAHO_C_STATIC} ${GPS_SSL_STATIC} ${GPS_CRYPTO_STATIC} dl Threads::Threads anl)
  set(shared_tls_mqtt eclipse-paho-mqtt-c::paho-mqtt3as OpenSSL::SSL OpenSSL::Crypto)
  target_link_libraries(gps_tls_mqtt INTERFACE
    "$<IF:$<BOOL:$<TARGET_PROPERTY:GPS_STATIC_TLS_MQTT>>,${static_tls_mqtt},${shared_tls_mqtt}>")
  target_include_directories(gps_tls_mqtt INTERFACE ${OPENSSL_INCLUDE_DIR})
endif()

if(GPS_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
