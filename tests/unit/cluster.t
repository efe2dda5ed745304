#!/bin/sh
exec "${BUILD:-build}/tests/unit/cluster"
