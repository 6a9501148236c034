# Sourced by ./ckpt, ./test.sh and .ci/run: finds JDK 25 and a Maven 3.9 of the project's own.
# Maven is fetched from Maven Central as an ordinary artifact by whatever mvn the machine has, so no
# committed file names a registry host.
CKPT_ROOT="${CKPT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
CKPT_MAVEN_VERSION=3.9.16
CKPT_TOOLS="$CKPT_ROOT/.tools"

ckpt_java_major() {  # reads <home>/release: no JVM start per candidate
  local home; home="$(dirname "$(dirname "$(readlink -f "$1")")")"
  if [[ -r "$home/release" ]]; then sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release"
  else "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; fi
}

# Prints the java binary of a JDK >= 25: $JAVA_HOME if it is one, else /usr/lib/jvm/temurin-25*.
ckpt_find_java() {
  local c v
  for c in "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/temurin-25*/bin/java /usr/lib/jvm/temurin-2[6-9]*/bin/java; do
    [[ -n "$c" && -x "$c" ]] || continue
    v="$(ckpt_java_major "$c")"; v="${v%%.*}"
    [[ -n "$v" && "$v" -ge 25 ]] && { echo "$c"; return 0; }
  done
  echo "ckpt: Java 25 or newer is needed: set JAVA_HOME to a JDK 25 (e.g. Temurin 25 under /usr/lib/jvm)" >&2
  return 1
}

# Sets JAVA_HOME to a JDK >= 25 and MVN to a Maven 3.9 launcher, fetching Maven on first use.
ckpt_setup_build() {
  local java; java="$(ckpt_find_java)" || return 1
  export JAVA_HOME; JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$java")")")"
  local home="$CKPT_TOOLS/apache-maven-$CKPT_MAVEN_VERSION"
  if [[ ! -x "$home/bin/mvn" ]]; then
    command -v mvn >/dev/null || { echo "ckpt: a system 'mvn' is needed once, to fetch Maven $CKPT_MAVEN_VERSION (apt-get install maven)" >&2; return 1; }
    mkdir -p "$CKPT_TOOLS"
    echo "ckpt: fetching Maven $CKPT_MAVEN_VERSION from Maven Central..." >&2
    # the machine's older Maven prints JDK warnings on this JDK: keep them in a log unless the fetch fails
    (cd "$CKPT_TOOLS" && mvn -q -B dependency:copy \
        -Dartifact="org.apache.maven:apache-maven:$CKPT_MAVEN_VERSION:tar.gz:bin" -DoutputDirectory=. \
        >"$CKPT_TOOLS/maven-fetch.log" 2>&1 \
      && tar xzf "apache-maven-$CKPT_MAVEN_VERSION-bin.tar.gz" && rm -f "apache-maven-$CKPT_MAVEN_VERSION-bin.tar.gz") \
      || { echo "ckpt: could not fetch Maven $CKPT_MAVEN_VERSION (see $CKPT_TOOLS/maven-fetch.log)" >&2; return 1; }
  fi
  MVN="$home/bin/mvn"
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
}

# Prints the criu wrapper of a private CRIU 4.x, installing it on first use (see ../shared/tools).
ckpt_setup_criu() {
  local setup="$CKPT_ROOT/../shared/tools/criu-setup.sh"
  [[ -x "$setup" ]] || { echo "ckpt: $setup not found: cannot install CRIU" >&2; return 1; }
  "$setup" "$CKPT_TOOLS/criu" 2>"$CKPT_TOOLS/criu-setup.log" | tail -n 1
}
