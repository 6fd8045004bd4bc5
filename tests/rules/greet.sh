#!/bin/sh
# An executable target for oci_layer: its default mode in a layer is 0755.
echo greetings
