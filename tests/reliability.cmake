# reliability.cmake - the ctests of issue 6 (hostile input and faults),
# included from tests/CMakeLists.txt:
#   hostile              tests/hostile.sh over the files tests/hostile/gen_hostile.py writes
#   hostile_open_<file>  one per case EXPECT marks open:OWNER (a reported bug not fixed
#                        yet), WILL_FAIL: it turns red once the bug is fixed, so that the
#                        marker is removed and the case joins `hostile`
#   fuzz_regressions     the reproducers of tests/fuzz/regressions/ through the CLI (same
#                        script, their own EXPECT; open ones as above)
#   valgrind             tests/valgrind.sh, in plain builds only (label "valgrind")
# The sanitizer build (DG_SANITIZE) runs hostile and fuzz_regressions under ASan.

# Aborts on any single allocation above DG_MALLOC_LIMIT_MB (LD_PRELOAD, plain builds).
add_library(dg_malloc_limit MODULE hostile/malloc_limit.c)
target_link_libraries(dg_malloc_limit PRIVATE ${CMAKE_DL_LIBS})

set(DG_HOSTILE_SH ${CMAKE_CURRENT_SOURCE_DIR}/hostile.sh)
set(DG_MALLOC_LIMIT $<TARGET_FILE:dg_malloc_limit>)

# dg_hostile_tests(PREFIX SOURCE EXPECT_FILE): the test PREFIX, and PREFIX_open_<file>
# for each open case of EXPECT_FILE.
function(dg_hostile_tests prefix source expect_file)
  add_test(NAME ${prefix} COMMAND bash ${DG_HOSTILE_SH} ${DG_CLI} ${DG_MALLOC_LIMIT} ${source})
  set_tests_properties(${prefix} PROPERTIES LABELS hostile)
  file(STRINGS ${expect_file} open_lines REGEX "^[^#].*open:")
  foreach(line ${open_lines})
    string(REGEX MATCH "^[^ \t]+" name "${line}")
    add_test(NAME ${prefix}_open_${name}
             COMMAND bash ${DG_HOSTILE_SH} ${DG_CLI} ${DG_MALLOC_LIMIT} ${source} ${name})
    set_tests_properties(${prefix}_open_${name} PROPERTIES LABELS "hostile;open" WILL_FAIL TRUE)
  endforeach()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${expect_file})
endfunction()

dg_hostile_tests(hostile generated ${CMAKE_CURRENT_SOURCE_DIR}/hostile/EXPECT)
dg_hostile_tests(fuzz_regressions ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/regressions
                 ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/regressions/EXPECT)

if(NOT DG_SANITIZE AND NOT DG_FUZZ)
  add_test(NAME valgrind COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/valgrind.sh ${DG_CLI} ${DG_TESTDATA})
  set_tests_properties(valgrind PROPERTIES LABELS valgrind SKIP_RETURN_CODE 77 TIMEOUT 600)
endif()
