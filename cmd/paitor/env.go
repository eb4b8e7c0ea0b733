package main

import "os"

// getenv is the one place the environment is read (tests replace it).
var getenv = os.Getenv
