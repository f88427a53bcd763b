// The GUI tests' precompiled headers (tests/CMakeLists.txt, gz_gui_test_pch) are compiled with
// this target's flags; CMake needs one source file in it to build them. Nothing else is here.
