# install.cmake - what `cmake --install` puts where (Debian's layout under
# CMAKE_INSTALL_PREFIX; the package uses /usr):
#   bin/dcmguard, bin/dcmguard-storescp-hook
#   LIBDIR/libdcmguard.so.0 (+ .so), include/dcmguard.h, LIBDIR/pkgconfig/dcmguard.pc
#   lib/orthanc/libdcmguard_orthanc.so   the Orthanc plugin, NOT in the folder
#                                        Orthanc scans (docs/install.md: enabling)
#   share/man/man1/*.1.gz, share/doc/dcmguard/ (README, docs, examples/dcmguard.json)
# The programs link the library statically: nothing to find at run time, no
# RPATH (tests/package.sh checks both on the installed files).
include(GNUInstallDirs)

install(TARGETS dcmguard_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS plugin/cli/dcmguard-storescp-hook DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS dcmguard LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES plugin/dcmguard.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# pkg-config: relative to the .pc file, so that it is right under any prefix.
file(RELATIVE_PATH DG_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" DG_PC_TO_PREFIX "${DG_PC_TO_PREFIX}")
configure_file(cmake/dcmguard.pc.in ${CMAKE_BINARY_DIR}/dcmguard.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/dcmguard.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

if(TARGET dcmguard_orthanc)
  install(TARGETS dcmguard_orthanc LIBRARY DESTINATION lib/orthanc)
endif()

# Man pages, compressed as Debian wants them.
foreach(page dcmguard.1 dcmguard-storescp-hook.1)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/man/${page}.gz
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
                     COMMAND gzip -9nc ${PROJECT_SOURCE_DIR}/docs/man/${page} > ${CMAKE_BINARY_DIR}/man/${page}.gz
                     DEPENDS docs/man/${page})
  list(APPEND DG_MAN_PAGES ${CMAKE_BINARY_DIR}/man/${page}.gz)
endforeach()
add_custom_target(man_pages ALL DEPENDS ${DG_MAN_PAGES})
install(FILES ${DG_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(DG_DOCDIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/dcmguard)
install(FILES README.md docs/install.md docs/orthanc.md docs/storescp.md docs/format.md docs/header.md
              docs/chaos.md docs/audit.md DESTINATION ${DG_DOCDIR})
install(FILES docs/examples/dcmguard.json DESTINATION ${DG_DOCDIR}/examples)
