# Shared by scripts/run and scripts/test: packages, build, free ports, and the processes they start.
# Source it; it defines functions and GPS_ROOT, and changes nothing until a function is called.

GPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Debian packages the project needs to build, test and run (scripts/test adds the browser ones).
GPS_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libpaho-mqtt-dev mosquitto mosquitto-clients
  rapidjson-dev libcurl4-openssl-dev libssl-dev openssl libhiredis-dev redis-server
  libgtest-dev libgmock-dev libcpp-httplib-dev
  iproute2 procps
)

gps_log() { printf '%s\n' "$*" >&2; }

# Installs the packages that are missing (all at once), and nothing when all are present.
gps_ensure_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  gps_log "installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    gps_log "error: missing packages and not root; run as root or install them: ${missing[*]}"
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || return 1
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 1
}

# gps_build <dir> [targets...]: configures and builds into dir (everything, or only the targets),
# with tests unless GPS_BUILD_TESTS=OFF.
gps_build() {
  local dir="$1"
  shift
  local tests="${GPS_BUILD_TESTS:-ON}"
  cmake -S "$GPS_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGPS_BUILD_TESTS="$tests" >/dev/null || return 1
  if [ $# -gt 0 ]; then
    cmake --build "$dir" -j "$(nproc)" --target "$@" || return 1
  else
    cmake --build "$dir" -j "$(nproc)" || return 1
  fi
}

# True when something accepts connections on 127.0.0.1:$1.
gps_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A loopback TCP port nobody listens on (never a fixed one).
gps_free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q . && ! gps_port_open "$p"; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# Waits up to $2 seconds (default 20) for 127.0.0.1:$1 to accept connections.
gps_wait_port() {
  local port="$1" timeout="${2:-20}" i
  for i in $(seq 1 $(( timeout * 10 ))); do
    gps_port_open "$port" && return 0
    sleep 0.1
  done
  return 1
}

# Processes started through gps_spawn, stopped by gps_stop_all.
GPS_PIDS=()

# gps_spawn <log file> <command...>: starts a command in the background, logging to a file.
gps_spawn() {
  local logfile="$1"
  shift
  "$@" >>"$logfile" 2>&1 &
  GPS_PIDS+=("$!")
  echo "$!"
}

# Stops every spawned process: SIGTERM, up to 5 s of grace, then SIGKILL.
gps_stop_all() {
  local pid i
  for pid in "${GPS_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  for i in $(seq 1 50); do
    local alive=0
    for pid in "${GPS_PIDS[@]}"; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${GPS_PIDS[@]}"; do
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  GPS_PIDS=()
}

# gps_start_mosquitto <dir> <port>: the project's broker configuration on a loopback port: TLS,
# one account per role and the ACL of deploy/mosquitto/. The kit (CA, broker certificate, account
# passwords) is made in <dir>/mosquitto/kit, kept when it exists: clients use
# mqtts://127.0.0.1:<port>, GPS_MQTT_CA_FILE=<kit>/ca.crt and
# GPS_MQTT_PASSWORD_FILE=<kit>/secrets/<account>.password.
gps_start_mosquitto() {
  local dir="$1" port="$2"
  local kit="$dir/mosquitto/kit"
  mkdir -p "$dir/mosquitto"
  "$GPS_ROOT/deploy/mosquitto/make-broker-kit.sh" "$kit" >>"$dir/mosquitto.log" 2>&1 ||
    { gps_log "could not make the broker's certificates and accounts (see $dir/mosquitto.log)"; return 1; }
  sed -e "s|@PORT@|$port|" -e "s|@BIND@|127.0.0.1|" -e "s|@KIT_DIR@|$kit|g" \
    -e "s|@ACL_FILE@|$GPS_ROOT/deploy/mosquitto/acl|" -e "s|@DATA_DIR@|$dir/mosquitto|" \
    -e "s|@USER@|$(id -un)|" \
    "$GPS_ROOT/deploy/mosquitto/mosquitto.conf" >"$dir/mosquitto/mosquitto.conf"
  gps_spawn "$dir/mosquitto.log" mosquitto -c "$dir/mosquitto/mosquitto.conf" >/dev/null
  gps_wait_port "$port" 20 || { gps_log "mosquitto did not start (see $dir/mosquitto.log)"; return 1; }
}

# gps_start_redis <dir> <port>: the project's Redis configuration (AOF on) on a loopback port.
gps_start_redis() {
  local dir="$1" port="$2"
  mkdir -p "$dir/redis"
  gps_spawn "$dir/redis.log" redis-server "$GPS_ROOT/deploy/redis/redis.conf" \
    --port "$port" --dir "$dir/redis" >/dev/null
  gps_wait_port "$port" 20 || { gps_log "redis-server did not start (see $dir/redis.log)"; return 1; }
}
