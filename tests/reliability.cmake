# reliability.cmake - the ctests of issue 6 (hostile input and faults),
# included from tests/CMakeLists.txt:
#   hostile              tests/hostile.sh over the files tests/hostile/gen_hostile.py
#                        writes, protected in aes mode (hostile_chaos: in chaos mode)
#   hostile_open_<file>  one per case EXPECT marks open:OWNER (chaos-open:OWNER for
#                        hostile_chaos_open_<file>): a reported bug not fixed yet,
#                        WILL_FAIL, so it turns red once the bug is fixed and the marker
#                        is removed, and the case joins `hostile`
#   fuzz_regressions     the reproducers of tests/fuzz/regressions/ through the CLI (same
#                        script, their own EXPECT; open ones as above)
#   valgrind             tests/valgrind.sh, in plain builds only (label "valgrind")
# The sanitizer build (DG_SANITIZE) runs hostile and fuzz_regressions under ASan.

# Aborts on any single allocation above DG_MALLOC_LIMIT_MB (LD_PRELOAD, plain builds).
add_library(dg_malloc_limit MODULE hostile/malloc_limit.c)
target_link_libraries(dg_malloc_limit PRIVATE ${CMAKE_DL_LIBS})

set(DG_HOSTILE_SH ${CMAKE_CURRENT_SOURCE_DIR}/hostile.sh)
set(DG_MALLOC_LIMIT $<TARGET_FILE:dg_malloc_limit>)

# dg_hostile_tests(PREFIX SOURCE EXPECT_FILE): for each pixel mode, the test PREFIX
# (PREFIX_chaos) and PREFIX_open_<file> (PREFIX_chaos_open_<file>) for each case
# EXPECT_FILE marks open in that mode.
function(dg_hostile_tests prefix source expect_file)
  foreach(mode aes chaos)
    set(name ${prefix})
    set(marker "[ \t]open:")
    if(mode STREQUAL "chaos")
      set(name ${prefix}_chaos)
      set(marker "chaos-open:")
    endif()
    add_test(NAME ${name}
             COMMAND bash ${DG_HOSTILE_SH} ${DG_CLI} ${DG_MALLOC_LIMIT} ${source} ${mode})
    set_tests_properties(${name} PROPERTIES LABELS hostile)
    file(STRINGS ${expect_file} open_lines REGEX "^[^#].*${marker}")
    foreach(line ${open_lines})
      string(REGEX MATCH "^[^ \t]+" file "${line}")
      add_test(NAME ${name}_open_${file}
               COMMAND bash ${DG_HOSTILE_SH} ${DG_CLI} ${DG_MALLOC_LIMIT} ${source} ${mode} ${file})
      set_tests_properties(${name}_open_${file} PROPERTIES LABELS "hostile;open" WILL_FAIL TRUE)
    endforeach()
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

# One context, one key store, 4 caller threads and a pool of 4 workers (tests/tsan.sh
# runs it under ThreadSanitizer).
dg_unit_test(test_threads dcmguard_static Threads::Threads)
add_test(NAME threads COMMAND test_threads ${DG_TESTDATA}/files)
