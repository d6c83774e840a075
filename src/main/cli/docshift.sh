#!/bin/sh
# docshift: the Docshift command line. This file is a shell script with the CLI's jar appended to it;
# Java reads the jar past the script. DOCSHIFT_JAVA (default: java on the PATH) and DOCSHIFT_JAVA_OPTS may override.
# The image's JAVA_TOOL_OPTIONS are the service's; the CLI has DOCSHIFT_JAVA_OPTS.
unset JAVA_TOOL_OPTIONS
exec "${DOCSHIFT_JAVA:-java}" ${DOCSHIFT_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss1m -Xshare:auto} -jar "$0" "$@"
